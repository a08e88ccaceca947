/** What the API handlers use of the inspector: its catalog, body views, options and whole records. */

import type { Scheme } from '../../core/signing/schemes.js';
import type { DeliveryRecord } from '../../core/store/codec.js';
import type { BodyViews } from './body-view.js';
import type { Catalog } from './catalog.js';
import type { Keys } from './detail.js';

export interface InspectorOptions {
  showPii: boolean;
  keys: Keys;
  scheme: Scheme;
  /** The store to read; null when listen does not record. */
  storeDir: string | null;
  /** Where listen's store wrote a delivery, when it knows. */
  placeOf?: (id: string) => { offset: number; length: number } | null;
  /** Follow the store file as it grows (`idpass inspect`, beside a listener in another terminal). */
  follow: boolean;
  /** Where deliveries were received: the base for HAR URLs and the resend target of last resort. */
  receiverUrl: string | null;
  version: string;
}

export interface InspectorContext {
  readonly catalog: Catalog;
  readonly views: BodyViews;
  readonly options: InspectorOptions;
  record(id: string): Promise<DeliveryRecord | null>;
}

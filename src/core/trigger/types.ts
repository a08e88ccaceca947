/** What a trigger is asked to send, and the requests it plans: the types the planner, the pending pair and the sender share. */

import type { Product } from '../delivery/catalog.js';
import type { StatusExpectation } from '../delivery/rules.js';
import type { KeyKind, Scheme } from '../signing/schemes.js';
import type { TamperKind } from './tamper.js';

export interface TriggerOptions {
  event: string;
  url?: URL | string;
  product?: Product | string;
  /** Body edits by dot path, applied in order. */
  set?: { path: string; value: unknown }[];
  unset?: string[];
  /** Raw bytes of a JSON body to send instead of the fixture. */
  data?: Uint8Array;
  /** `prembly-hmac` (current) by default; the two static schemes are legacy. */
  scheme?: Scheme;
  /** The sandbox public key; a built-in test key when omitted. */
  publicKey?: string;
  /** The live public key; a built-in stand-in when omitted. */
  livePublicKey?: string;
  /** Sign with this key whatever the kind; by default each kind gets the key Prembly uses for it. */
  key?: KeyKind;
  /** The reference to tie the deliveries to; a fresh UUID when omitted. */
  reference?: string;
  /** `legacy` sends the older body shape of a kind that has one. */
  shape?: 'current' | 'legacy';
  pendingFirst?: boolean;
  /** `webhook` (default): the PENDING answer is POSTed too, labelled; `api`: it is only shown (or sent to `pendingTo`). */
  pendingVia?: 'webhook' | 'api';
  /** With `pendingVia: 'api'`: POST the API answer here instead of only showing it. */
  pendingTo?: URL | string;
  /** `downtime` (02, then is_callback_retry) or `payment` (03, then is_pending_payment_retry). */
  pendingReason?: 'downtime' | 'payment';
  delayMs?: number;
  tamper?: TamperKind;
  expect?: StatusExpectation | string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type DeliveryRole = 'single' | 'pending' | 'final' | 'original' | 'replay' | 'resend';

export interface PlannedDelivery {
  event: string;
  role: DeliveryRole;
  body: Buffer;
  headers: Record<string, string | string[]>;
  token: string;
  reference: string | null;
  expect: StatusExpectation;
  /** An answer that meets `expect` but not this passes with a warning (a 4xx to a replay). */
  preferred?: StatusExpectation;
  delayBeforeMs: number;
  tamper: TamperKind | null;
  /** Which key signed it; null when it is not signed (an API answer). */
  key: KeyKind | null;
  /** `post` sends it; `show` only reports it (the API's answer, which Prembly does not POST). */
  send: 'post' | 'show';
  /** Where to send it instead of the trigger's URL. */
  url?: URL;
  /** Follow redirects as Prembly does for this kind (never for workflow runs). */
  followRedirects: boolean;
  /** What Prembly really does with this delivery, when it differs from what idpass does here. */
  note: string | null;
}

export type Signer = (payload: Buffer, key: KeyKind) => { headers: Record<string, string>; token: string };

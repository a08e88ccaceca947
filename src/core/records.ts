import { describeDelivery } from './describe.js';
import type { Delivery } from './listener.js';
import type { VerifyResult } from './signing.js';
import type { DeliveryRecord } from './store.js';

/** Turning stored lines back into deliveries, and finding them by id. */

interface StoredForward {
  url: string;
  status: number;
  answered: boolean;
  ms: number;
  preview: string;
  error: { kind: string; message: string } | null;
  warning: string | null;
}

/** The delivery as `idpass listen` described it when it arrived (verdict as at receipt). */
export function deliveryFromRecord(record: DeliveryRecord, publicKey: string): Delivery {
  const d = describeDelivery({
    id: record.id,
    receivedAt: record.receivedAt,
    method: record.method,
    path: record.path,
    headers: record.headers,
    body: record.body === null ? null : Buffer.from(record.body, 'base64'),
    size: record.size,
    publicKey,
  });
  const atReceipt = record.verification as Partial<VerifyResult> | undefined;
  if (atReceipt && typeof atReceipt.valid === 'boolean') d.verification = { ...d.verification, ...atReceipt };
  d.duplicate = record.duplicate === true;
  d.ignored = record.ignored === true;
  d.stored = true;
  const forward = record.outcome?.forward as StoredForward | undefined;
  if (forward) {
    d.forward = {
      url: forward.url,
      status: forward.status,
      answered: forward.answered,
      ms: forward.ms,
      contentType: null,
      body: Buffer.from(forward.preview ?? ''),
      preview: forward.preview ?? '',
      error: forward.error ? { kind: forward.error.kind as never, message: forward.error.message } : null,
      warning: forward.warning,
    };
  }
  const answered = record.outcome?.answerStatus;
  d.answerStatus = typeof answered === 'number' ? answered : d.tooLarge ? 413 : d.jsonError ? 400 : 200;
  return d;
}

export class RecordLookupError extends Error {
  constructor(
    message: string,
    readonly matches: DeliveryRecord[] = [],
  ) {
    super(message);
    this.name = 'RecordLookupError';
  }
}

/** An exact id, or a prefix that matches exactly one delivery. */
export function findRecord(records: DeliveryRecord[], idOrPrefix: string): DeliveryRecord {
  const exact = records.find((r) => r.id === idOrPrefix);
  if (exact) return exact;
  const matches = records.filter((r) => r.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new RecordLookupError(records.length === 0 ? 'no deliveries are recorded yet' : `no recorded delivery has the id ${idOrPrefix}`);
  }
  throw new RecordLookupError(`${matches.length} deliveries start with ${idOrPrefix}`, matches);
}

import { CoreError } from '../common/errors.js';
import type { DeliveryRecord } from './codec.js';

export class RecordLookupError extends CoreError<'store-empty' | 'no-match' | 'ambiguous', { id: string; matches: DeliveryRecord[] }> {
  get matches(): DeliveryRecord[] {
    return this.facts.matches;
  }
}

/** An exact id, or a prefix that matches exactly one delivery. */
export function findRecord(records: DeliveryRecord[], idOrPrefix: string, prefixCount?: number): DeliveryRecord {
  if (idOrPrefix.trim() === '') throw new RecordLookupError('no-match', 'an empty id matches no delivery', { id: idOrPrefix, matches: [] });
  const exact = records.find((r) => r.id === idOrPrefix);
  if (exact) return exact;
  const matches = records.filter((r) => r.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!;
  const facts = { id: idOrPrefix, matches };
  if (matches.length > 1)
    throw new RecordLookupError('ambiguous', `${Math.max(prefixCount ?? 0, matches.length)} deliveries start with ${idOrPrefix}`, facts);
  if (records.length === 0) throw new RecordLookupError('store-empty', 'no deliveries are recorded yet', facts);
  throw new RecordLookupError('no-match', `no recorded delivery has the id ${idOrPrefix}`, facts);
}

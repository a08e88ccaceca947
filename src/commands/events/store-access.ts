/**
 * Reading the store for the events commands without loading it whole: the newest deliveries from
 * the end, one delivery by a streaming scan, a count for `clear`. Unreadable lines are reported.
 */

import type { DeliveryRecord } from '../../core/store/codec.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';

export async function storePlace(io: IO) {
  const { defaultStateDir, STORE_FILE } = await import('../../core/store/location.js');
  const dir = defaultStateDir(io.env);
  return { dir, file: `${dir}/${STORE_FILE}` };
}

function warnUnreadable(io: IO, count: number, file: string): void {
  if (count > 0) io.stderr.write(`warning: skipped ${count} unreadable line${count > 1 ? 's' : ''} in ${file}\n`);
}

/** The newest `limit` deliveries that pass the filter, newest first; `more` when older ones were not read. */
export async function newestRecords(io: IO, limit: number, filter?: (record: DeliveryRecord) => boolean) {
  const { dir, file } = await storePlace(io);
  const { readNewest } = await import('../../core/store/read.js');
  const { records, unreadable, complete } = await readNewest(dir, { limit, filter });
  warnUnreadable(io, unreadable, file);
  return { dir, file, records, more: !complete };
}

/** How many deliveries the store holds, counted by streaming it. */
export async function countRecords(io: IO): Promise<{ file: string; count: number; exists: boolean }> {
  const { dir, file } = await storePlace(io);
  const { countDeliveries } = await import('../../core/store/read.js');
  const count = await countDeliveries(dir);
  return { file, count: count ?? 0, exists: count !== null };
}

/** Finds a delivery by id or unique prefix, turning lookup failures into usage errors that say what to do. */
export async function lookup(id: string, io: IO): Promise<{ record: DeliveryRecord }> {
  if (id.trim() === '') throw new UsageError('an empty id matches no delivery', 'idpass events list shows the recorded ids');
  const { dir } = await storePlace(io);
  const { scanForId } = await import('../../core/store/read.js');
  const { findRecord, RecordLookupError } = await import('../../core/store/lookup.js');
  const { matches, empty, prefixCount } = await scanForId(dir, id);
  try {
    if (matches.length === 0 && !empty) throw new RecordLookupError('no-match', `no recorded delivery has the id ${id}`, { id, matches });
    return { record: findRecord(matches, id, prefixCount) };
  } catch (error) {
    if (!(error instanceof RecordLookupError)) throw error;
    if (error.code === 'ambiguous') {
      const ids = error.matches.slice(0, 5).map((r) => `${r.id} (${r.event ?? 'unrecognised'})`);
      throw new UsageError(`${error.message}: ${ids.join(', ')}${error.matches.length > 5 ? ', …' : ''}`, 'give more of the id');
    }
    throw new UsageError(
      error.message,
      error.code === 'store-empty' ? 'run idpass listen and send it a delivery first' : 'idpass events list shows the recorded ids',
    );
  }
}

import type { DeliveryRecord } from '../../core/store/codec.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';

/** Reading the store for the events commands, with unreadable lines reported and lookups explained. */

export async function loadStore(io: IO) {
  const { DeliveryStore, defaultStateDir, STORE_FILE } = await import('../../core/store/log.js');
  const dir = defaultStateDir(io.env);
  const { records, skipped } = await DeliveryStore.load(dir);
  if (skipped.length) {
    const lines = `line ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}`;
    io.stderr.write(
      `warning: skipped ${skipped.length} unreadable line${skipped.length > 1 ? 's' : ''} in ${dir}/${STORE_FILE} (${lines})\n`,
    );
  }
  return { dir, file: `${dir}/${STORE_FILE}`, records };
}

/** Finds a delivery by id or unique prefix, turning lookup failures into usage errors that say what to do. */
export async function lookup(id: string, io: IO): Promise<{ record: DeliveryRecord; records: DeliveryRecord[] }> {
  const { records } = await loadStore(io);
  const { findRecord, RecordLookupError } = await import('../../core/store/lookup.js');
  try {
    return { record: findRecord(records, id), records };
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

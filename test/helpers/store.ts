import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The store file's lines, parsed, as a test reads them (independently of the store code). */
export function readStoreLines(home: string): Record<string, any>[] {
  const file = join(home, 'deliveries.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // a torn line: the store skips it too
      }
    });
}

export function storedDeliveries(home: string): Record<string, any>[] {
  return readStoreLines(home).filter((l) => l.kind === 'delivery');
}

/**
 * The inspector's reads of the store: a scan from a byte offset that hands over each line's
 * summary (bodies are dropped as soon as a line is read), following the file as it grows (`idpass
 * inspect` beside a running listener) and starting again when it was replaced (compaction,
 * `events clear`); one delivery by id; and the ids whose body text contains a string.
 */

import { constants } from 'node:fs';
import { join } from 'node:path';
import { openRegular } from '../../core/store/file.js';
import { decodeLine, type DeliveryRecord, type StoredDelivery, type StoredOutcome } from '../../core/store/codec.js';
import { STORE_FILE } from '../../core/store/location.js';
import { readDeliveryAt, scanForId } from '../../core/store/read.js';
import { decodedBody } from '../../core/delivery/describe.js';
import { readHeader } from '../../core/signing/headers.js';

export interface ScanSink {
  /** A delivery line, with where it lies in the file. */
  delivery(line: StoredDelivery, place: { offset: number; length: number }): void;
  outcome(line: StoredOutcome): void;
}

const CHUNK = 1024 * 1024;
/** A line longer than this is a body over any --max-body; it is passed over, not held. */
const MAX_LINE = 64 * 1024 * 1024;

function parse(text: string) {
  try {
    return decodeLine(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Reads whole lines from `from` to the end, handing each to the sink; returns where the next scan
 * starts (after the last whole line) and the file's identity, so a replaced file is noticed.
 */
export async function scanStore(dir: string, from: number, sink: ScanSink): Promise<{ next: number; ino: number } | null> {
  let handle;
  try {
    handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  } catch {
    return null;
  }
  try {
    const { size, ino } = await handle.stat();
    let at = from;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let skipping = false;
    const buffer = Buffer.alloc(CHUNK);
    while (at + pendingBytes < size) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, at + pendingBytes);
      if (bytesRead === 0) break;
      let start = 0;
      for (let nl = buffer.indexOf(0x0a, 0); nl >= 0 && nl < bytesRead; nl = buffer.indexOf(0x0a, start)) {
        const piece = buffer.subarray(start, nl);
        if (!skipping) {
          const text = pending.length ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8');
          const line = text.trim() ? parse(text) : null;
          if (line?.kind === 'delivery') sink.delivery(line, { offset: at, length: pendingBytes + (nl - start) });
          else if (line?.kind === 'outcome') sink.outcome(line);
        }
        at += pendingBytes + (nl - start) + 1;
        pending = [];
        pendingBytes = 0;
        skipping = false;
        start = nl + 1;
      }
      if (start < bytesRead) {
        pendingBytes += bytesRead - start;
        if (pendingBytes > MAX_LINE) skipping = true;
        if (!skipping) pending.push(Buffer.from(buffer.subarray(start, bytesRead)));
        else pending = [];
      }
    }
    return { next: at, ino };
  } finally {
    await handle.close();
  }
}

/** One delivery with its outcome: at its known place first, else by a scan of the store. */
export async function readRecord(
  dir: string,
  id: string,
  place: { offset: number; length: number } | null,
  outcome?: StoredOutcome,
): Promise<DeliveryRecord | null> {
  const atPlace = place ? await readDeliveryAt(dir, id, place) : null;
  if (atPlace) return outcome ? { ...atPlace, outcome } : atPlace;
  try {
    const found = (await scanForId(dir, id, 1)).matches.find((r) => r.id === id);
    return found ?? null;
  } catch {
    return null;
  }
}

/** The text of a stored body (decoded when compressed); null when it has none or it cannot be decoded. */
export function bodyText(record: Pick<DeliveryRecord, 'body' | 'headers'>): string | null {
  if (record.body === null) return null;
  return decodedBody(Buffer.from(record.body, 'base64'), readHeader(record.headers, 'content-encoding')).text;
}

/** The ids of stored deliveries whose body text contains `needle` (any case), by one scan of the store. */
export async function idsWithText(dir: string, needle: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const lower = needle.toLowerCase();
  await scanStore(dir, 0, {
    delivery: (line) => {
      if (ids.size < 100_000 && bodyText(line)?.toLowerCase().includes(lower)) ids.add(line.id);
    },
    outcome: () => undefined,
  });
  return ids;
}

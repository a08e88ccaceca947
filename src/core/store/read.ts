/**
 * Reading the store without loading it: the tail (to seed duplicate detection), the newest
 * deliveries first (for `events list`), and a streaming scan (to find one delivery). Memory stays
 * bounded by what is asked for, not by the size of the file.
 */

import { constants } from 'node:fs';
import { openRegular } from './file.js';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeLine, type DeliveryRecord, type StoredOutcome } from './codec.js';
import { STORE_FILE } from './location.js';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Ids already met by a reader, bounded: the oldest are forgotten past `max`. Two listeners on one
 * folder can write the same delivery twice when one renames its compacted copy in while the other
 * appends (the other then writes again, so nothing is lost); the two lines lie close together, so
 * a bounded memory of recent ids is enough to show each delivery once.
 */
class RecentIds {
  private ids = new Set<string>();
  constructor(private readonly max = 100_000) {}
  /** True the first time an id is met. */
  first(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

function parseLine(text: string): ReturnType<typeof decodeLine> {
  try {
    return decodeLine(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The whole lines in the last `maxBytes` of the store (a cut first line is dropped, not counted corrupt); null when there is no store. */
async function lastLines(dir: string, maxBytes: number): Promise<string[] | null> {
  let handle;
  try {
    handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer
      .subarray(start > 0 ? buffer.indexOf(0x0a) + 1 : 0)
      .toString('utf8')
      .split('\n');
  } finally {
    await handle.close();
  }
}

/** The delivery tokens in the last `maxBytes` of the store, oldest first, without parsing whole lines. */
export async function readRecentTokens(dir: string, maxBytes = 2 * 1024 * 1024): Promise<{ tokens: string[]; unreadable: number[] }> {
  const lines = await lastLines(dir, maxBytes);
  const tokens: string[] = [];
  // line numbers, counted from the first whole line read (from the start of the file for a small store)
  const unreadable: number[] = [];
  (lines ?? []).forEach((line, index) => {
    if (line === '') return;
    if (!line.startsWith('{') || !line.endsWith('}')) {
      unreadable.push(index + 1);
      return;
    }
    if (!line.startsWith('{"kind":"delivery"')) return;
    // the verdict's token: the last "token" key of the line, inside "verification"
    const at = line.lastIndexOf('"token":"');
    if (at < 0 || line.indexOf('"verification":{', 0) > at) return;
    const end = line.indexOf('"', at + 9);
    if (end > at) tokens.push(JSON.parse(line.slice(at + 8, end + 1)) as string);
  });
  return { tokens, unreadable };
}

export interface NewestOptions {
  limit: number;
  filter?: (record: DeliveryRecord) => boolean;
  /** Bytes read per step from the end. */
  chunkBytes?: number;
}

/** The newest `limit` deliveries (newest first) that pass the filter, reading backwards from the end. */
export async function readNewest(
  dir: string,
  { limit, filter, chunkBytes = 1024 * 1024 }: NewestOptions,
): Promise<{ records: DeliveryRecord[]; unreadable: number; complete: boolean }> {
  let handle;
  try {
    handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  } catch (error) {
    if (isMissing(error)) return { records: [], unreadable: 0, complete: true };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const outcomes = new Map<string, StoredOutcome>();
    const records: DeliveryRecord[] = [];
    const seen = new RecentIds();
    let unreadable = 0;
    let end = size;
    let carry = Buffer.alloc(0);
    while (end > 0 && records.length < limit) {
      const start = Math.max(0, end - chunkBytes);
      const chunk = Buffer.alloc(end - start);
      await handle.read(chunk, 0, chunk.length, start);
      let data = Buffer.concat([chunk, carry]);
      // keep the (maybe cut) first line for the next step, unless this is the start of the file
      const firstBreak = start > 0 ? data.indexOf(0x0a) : -1;
      carry = start > 0 ? data.subarray(0, firstBreak + 1) : Buffer.alloc(0);
      if (start > 0 && firstBreak < 0) {
        carry = data;
        end = start;
        continue;
      }
      data = data.subarray(firstBreak + 1);
      const lines = data.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0 && records.length < limit; i--) {
        const text = lines[i]!;
        if (text.trim() === '') continue;
        const line = parseLine(text);
        if (line?.kind === 'outcome') outcomes.set(line.id, line);
        else if (line?.kind === 'delivery') {
          if (!seen.first(line.id)) continue;
          const outcome = outcomes.get(line.id);
          const record: DeliveryRecord = outcome ? { ...line, outcome } : line;
          if (!filter || filter(record)) records.push(record);
        } else unreadable++;
      }
      end = start;
    }
    return { records, unreadable, complete: end === 0 };
  } finally {
    await handle.close();
  }
}

/** Every delivery whose id is `idOrPrefix` or starts with it, found by streaming the file line by line. */
export async function scanForId(
  dir: string,
  idOrPrefix: string,
  maxMatches = 6,
): Promise<{ matches: DeliveryRecord[]; empty: boolean; prefixCount: number }> {
  let handle;
  try {
    handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  } catch (error) {
    if (isMissing(error)) return { matches: [], empty: true, prefixCount: 0 };
    throw error;
  }
  const stream = handle.createReadStream({ encoding: 'utf8' });
  const found = new Map<string, DeliveryRecord>();
  let any = false;
  // every delivery the prefix matches, though only maxMatches are kept: the count a person is told
  let prefixCount = 0;
  const counted = new RecentIds();
  try {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    for await (const text of lines) {
      if (text.trim() === '') continue;
      // cheap test first: only lines that mention the id are parsed
      if (!text.includes(`"id":"${idOrPrefix}`)) {
        any ||= text.includes('"kind":"delivery"');
        continue;
      }
      const line = parseLine(text);
      if (line?.kind === 'delivery') {
        any = true;
        if (line.id.startsWith(idOrPrefix) && counted.first(line.id)) prefixCount++;
        if (line.id === idOrPrefix) found.clear();
        if (found.size < maxMatches || line.id === idOrPrefix) found.set(line.id, line);
      } else if (line?.kind === 'outcome') {
        const record = found.get(line.id);
        if (record) record.outcome = line;
      }
    }
  } catch (error) {
    if (isMissing(error)) return { matches: [], empty: true, prefixCount: 0 };
    throw error;
  }
  const exact = found.get(idOrPrefix);
  return { matches: exact ? [exact] : [...found.values()], empty: !any, prefixCount };
}

/** How many deliveries the store holds, counted by streaming it; null when there is no store. */
export async function countDeliveries(dir: string): Promise<number | null> {
  const marker = Buffer.from('{"kind":"delivery"');
  let count = 0;
  let carry = Buffer.alloc(0);
  try {
    const handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
    for await (const chunk of handle.createReadStream()) {
      const data = Buffer.concat([carry, chunk as Buffer]);
      for (let at = data.indexOf(marker); at >= 0; at = data.indexOf(marker, at + marker.length)) count++;
      carry = data.subarray(Math.max(0, data.length - marker.length + 1));
    }
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  return count;
}

/** One delivery read at a known place (offset and length of its line); null when the line there is not that delivery. */
export async function readDeliveryAt(dir: string, id: string, place: { offset: number; length: number }): Promise<DeliveryRecord | null> {
  const handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  try {
    const buffer = Buffer.alloc(place.length);
    const { bytesRead } = await handle.read(buffer, 0, place.length, place.offset);
    const line = parseLine(buffer.toString('utf8', 0, bytesRead));
    return line?.kind === 'delivery' && line.id === id ? line : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * The newest relay sequence the store holds for a channel, read from its last `maxBytes`: the
 * mark is the last field of a delivery line, so it sits in the file's last bytes whatever the
 * size of the body before it. 0 when none is there (the cursor file says the rest).
 */
export async function lastRelaySeq(dir: string, channel: string, maxBytes = 4 * 1024 * 1024): Promise<number> {
  let handle;
  try {
    handle = await openRegular(join(dir, STORE_FILE), constants.O_RDONLY);
  } catch {
    return 0;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const tail = Buffer.alloc(size - start);
    await handle.read(tail, 0, tail.length, start);
    // the mark as JSON.stringify writes it; inside a string its quotes would be escaped, so this matches only the field
    const marker = Buffer.from(`"relay":{"channel":${JSON.stringify(channel)},"seq":`);
    let newest = 0;
    for (let at = tail.indexOf(marker); at >= 0; at = tail.indexOf(marker, at + 1)) {
      const digits = /^\d+/.exec(tail.toString('latin1', at + marker.length, at + marker.length + 20))?.[0];
      if (digits && Number(digits) > newest) newest = Number(digits);
    }
    return newest;
  } finally {
    await handle.close();
  }
}

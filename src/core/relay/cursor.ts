/**
 * The relay client's cursors: its acks to the relay, and `relay-cursors.json`, one sequence per channel,
 * replaced whole (a temp file renamed over it) and private. The store's own relay marks are the
 * other half of the truth; the newer of the two wins. And where a stream starts: its URL and headers.
 */

import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CURSOR_FILE = 'relay-cursors.json';

async function readAll(dir: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    // no cursor yet, or an unreadable one: the store's marks (or the start) it is
    return {};
  }
}

export async function readCursor(dir: string, key: string): Promise<number> {
  const value = (await readAll(dir))[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export async function writeCursor(dir: string, key: string, seq: number): Promise<void> {
  const all = await readAll(dir);
  all[key] = seq;
  const file = join(dir, CURSOR_FILE);
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(all), { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch {
    // the store's relay marks still say how far we got
    await unlink(temp).catch(() => undefined);
  }
}

/** Tells the relay what this client recorded; false when it could not (the next ack carries it). */
export async function postAck(url: string, token: string, seq: number, client?: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(client ? { seq, client } : { seq }),
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Where a stream resumes. A named client with nothing recorded here resumes from its own cursor on
 * the relay (another machine's, or this one's before its store was cleared); otherwise after what
 * is recorded here.
 */
export function streamRequest(
  base: string,
  cursor: number,
  options: { token: string; client?: string; filters?: string[] },
): { url: string; headers: Record<string, string>; fromRelay: boolean } {
  const fromRelay = options.client !== undefined && cursor === 0;
  const query = new URLSearchParams(fromRelay ? {} : { after: String(cursor) });
  if (options.client) query.set('client', options.client);
  for (const rule of options.filters ?? []) query.append('filter', rule);
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' };
  if (!fromRelay) headers['last-event-id'] = String(cursor);
  return { url: `${base}?${query}`, headers, fromRelay };
}

/** The relay's base URL and the channel id in a channel URL; null when it is not one. */
export function parseChannelUrl(url: URL): { base: string; channel: string } | null {
  const match = /^(.*)\/(?:in|out)\/(ch_[0-9a-f]{32})\/?$/.exec(url.pathname);
  if (!match) return null;
  return { base: `${url.origin}${match[1]}`, channel: match[2]! };
}

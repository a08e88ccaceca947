/**
 * One client's event stream of a channel: everything after its cursor, oldest first, then live
 * as deliveries are committed. A delivery is written a piece at a time (its body's base64 in
 * steps), so a 10 MB body is held once as bytes, never again as one 13 MB string; the socket's
 * back-pressure is respected. Retention that dropped what the cursor asked for is said as `gap`.
 */

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { matchesAll, type RelayRule } from './filter.js';
import type { RelayDelivery, RelayStorage } from './storage.js';

/** Raw bytes per base64 piece (a multiple of 3: only the last piece is padded). */
const PIECE = 3 * 64 * 1024;
/** A batch read from the database: this many rows, and no more body bytes than this past the first. */
const BATCH = { maxRows: 200, maxBytes: 4 * 1024 * 1024 };
/** A stream with nothing to send checks the database this often anyway (a notification missed, another writer). */
const IDLE_CHECK_MS = 5_000;

export interface StreamOptions {
  storage: RelayStorage;
  /** Reads a batch; streams at the same place share one read (and so one copy of a big body). */
  read?: (channelId: string, after: number) => Promise<RelayDelivery[]>;
  channelId: string;
  after: number;
  heartbeatMs: number;
  /** Counted per delivery sent. */
  sent: (bytes: number) => void;
  /** The client's filter: what it does not match is never sent, only skipped over (`skip {to}`). */
  rules?: RelayRule[];
}

async function write(res: ServerResponse, chunk: string | Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  // the socket is full: wait for it to drain (or to close), leaving no listener behind
  const controller = new AbortController();
  await Promise.race([once(res, 'drain', { signal: controller.signal }), once(res, 'close', { signal: controller.signal })]).catch(
    () => undefined,
  );
  controller.abort();
  return !res.destroyed;
}

async function writeDelivery(res: ServerResponse, d: RelayDelivery): Promise<boolean> {
  const head = JSON.stringify({ seq: d.seq, receivedAt: d.receivedAt, method: d.method, path: d.path, query: d.query, headers: d.headers });
  if (!(await write(res, `event: delivery\nid: ${d.seq}\ndata: ${head.slice(0, -1)},"body":"`))) return false;
  for (let from = 0; from < d.body.length; from += PIECE) {
    if (!(await write(res, d.body.subarray(from, from + PIECE).toString('base64')))) return false;
  }
  return write(res, '"}\n\n');
}

/**
 * Batch reads shared between the streams of one server: clients at the same place in a channel
 * (every live client, right after a delivery) get the same rows, read once, so a 10 MB body sits
 * in memory once for all of them rather than once per client. A read is kept a quarter second after it
 * settles for the streams that come to it a little later.
 */
export function sharedReads(storage: RelayStorage, keepMs = 250): (channelId: string, after: number) => Promise<RelayDelivery[]> {
  const reads = new Map<string, Promise<RelayDelivery[]>>();
  return (channelId, after) => {
    const key = `${channelId}:${after}`;
    let read = reads.get(key);
    if (!read) {
      read = storage.after(channelId, after, BATCH);
      reads.set(key, read);
      const forget = () => setTimeout(() => reads.get(key) === read && reads.delete(key), keepMs).unref();
      // an empty answer is not kept: a delivery may be committed the next moment
      read.then(
        (rows) => (rows.length ? forget() : reads.delete(key)),
        () => reads.delete(key),
      );
    }
    return read;
  };
}

/** Streams until the client goes away or `stopped` resolves. */
export async function streamChannel(res: ServerResponse, options: StreamOptions, stopped: Promise<void>): Promise<void> {
  const { storage, channelId } = options;
  let cursor = options.after;
  let wake: (() => void) | null = null;
  let closed = false;
  // set by a commit heard after the last read began: the stream reads again instead of waiting
  let notified: boolean | undefined;
  // '*': the storage lost and regained its notifications, so every stream looks again
  const unsubscribe = storage.onStored((id) => {
    if (id !== channelId && id !== '*') return;
    notified = true;
    wake?.();
  });
  const finish = () => {
    closed = true;
    wake?.();
  };
  res.once('close', finish);
  void stopped.then(finish);
  const heartbeat = setInterval(() => void write(res, ': keep-alive\n\n'), options.heartbeatMs);
  heartbeat.unref();
  try {
    while (!closed) {
      notified = false;
      let rows = await (options.read ? options.read(channelId, cursor) : storage.after(channelId, cursor, BATCH));
      if (rows.length === 0) {
        // Nothing after the cursor. The newest sequence is read first and the rows again after it:
        // every sequence up to that newest one was committed before it could be read, so rows still
        // missing then were dropped by retention (a gap), not committed a moment too late.
        const last = (await storage.channel(channelId))?.lastSeq ?? cursor;
        rows = await storage.after(channelId, cursor, BATCH);
        if (rows.length === 0 && last > cursor) {
          if (!(await write(res, `event: gap\ndata: ${JSON.stringify({ from: cursor + 1, to: last })}\n\n`))) break;
          cursor = last;
          continue;
        }
      }
      if (rows.length === 0) {
        if (!notified)
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, IDLE_CHECK_MS).unref();
          });
        wake = null;
        continue;
      }
      // deliveries the filter does not match move the client's cursor (skip), never their bytes
      let skipped = 0;
      const skip = async () => {
        if (skipped === 0) return true;
        const to = skipped;
        skipped = 0;
        return write(res, `event: skip\ndata: ${JSON.stringify({ to })}\n\n`);
      };
      for (const row of rows) {
        if (
          row.seq > cursor + 1 &&
          !((await skip()) && (await write(res, `event: gap\ndata: ${JSON.stringify({ from: cursor + 1, to: row.seq - 1 })}\n\n`)))
        ) {
          closed = true;
          break;
        }
        if (options.rules?.length && !matchesAll(options.rules, channelId, row)) {
          cursor = skipped = row.seq;
          continue;
        }
        if (closed || !(await skip()) || !(await writeDelivery(res, row))) {
          closed = true;
          break;
        }
        cursor = row.seq;
        options.sent(row.body.length);
      }
      if (!closed && !(await skip())) closed = true;
    }
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    res.off('close', finish);
  }
}

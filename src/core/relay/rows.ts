/** Rows as either engine reads them back (SQLite and PostgreSQL name their columns alike), turned into the storage interface's shapes. */

import type { ChannelRecord, ChannelStats, ClientCursor, RelayDelivery } from './storage.js';

type Row = Record<string, unknown>;

/** A count or sequence: PostgreSQL's BIGINT arrives as text, SQLite's as a number or bigint. */
export const num = (v: unknown): number => (typeof v === 'bigint' || typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : '');

export function channelFromRow(row: Row): ChannelRecord {
  return {
    id: str(row.id),
    name: row.name === null ? null : str(row.name),
    tokenHash: str(row.token_hash),
    createdAt: str(row.created_at),
    lastSeq: num(row.last_seq),
  };
}

export function clientFromRow(r: Row): ClientCursor {
  return { client: str(r.client), ackedSeq: num(r.acked_seq), ackedAt: str(r.acked_at) };
}

/** A channel's figures, with its named clients' cursors (rows of `channel_id, client, acked_seq, acked_at`). */
export function statsFromRow(r: Row, clients: Row[] = []): ChannelStats {
  return {
    id: str(r.id),
    name: r.name === null ? null : str(r.name),
    createdAt: str(r.created_at),
    held: num(r.held),
    bytes: num(r.bytes),
    lastSeq: num(r.last_seq),
    ackedSeq: num(r.acked_seq),
    oldestSeq: r.oldest === null ? null : num(r.oldest),
    clients: clients.filter((c) => str(c.channel_id) === str(r.id)).map(clientFromRow),
  };
}

export function deliveryFromRow(r: Row): RelayDelivery {
  return {
    seq: num(r.seq),
    receivedAt: str(r.received_at),
    method: str(r.method),
    path: str(r.path),
    query: str(r.query),
    headers: JSON.parse(str(r.headers)) as [string, string][],
    body: Buffer.isBuffer(r.body) ? r.body : Buffer.alloc(0),
  };
}

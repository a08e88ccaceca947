/**
 * The relay on PostgreSQL: the same interface as the SQLite engine, for teams and several relay
 * processes on one database. A delivery's sequence comes from its channel's row, updated in the
 * delivery's own transaction: the row lock serialises commits per channel, so sequences commit in
 * order and a stream never skips one that commits late. Each commit sends a NOTIFY, so a stream
 * held by any relay on the database hears of it at once; a relay that loses its LISTEN connection
 * (the database restarted) reconnects and wakes every stream to look again.
 */

import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { channelFromRow, deliveryFromRow, num, statsFromRow, str } from './rows.js';
import type { ChannelRecord, ChannelStats, RelayDelivery, RelayIncoming, RelayStorage, Retention } from './storage.js';

const NOTIFY_CHANNEL = 'idpass_relay';
/** Taken while migrating, so two relays starting at once on an empty database make one schema. */
const MIGRATION_LOCK = 72_161_803;
/** Every stream looks again: what a relay does after its LISTEN connection came back. */
export const WAKE_ALL = '*';

const MIGRATIONS: string[] = [
  `CREATE TABLE relay_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE relay_channels (
     id TEXT PRIMARY KEY, name TEXT, token_hash TEXT NOT NULL, created_at TEXT NOT NULL,
     last_seq BIGINT NOT NULL DEFAULT 0, acked_seq BIGINT NOT NULL DEFAULT 0,
     held BIGINT NOT NULL DEFAULT 0, bytes BIGINT NOT NULL DEFAULT 0);
   CREATE TABLE relay_deliveries (
     channel_id TEXT NOT NULL REFERENCES relay_channels (id) ON DELETE CASCADE, seq BIGINT NOT NULL,
     received_at TIMESTAMPTZ NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
     headers TEXT NOT NULL, body BYTEA NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (channel_id, seq));`,
  `CREATE TABLE relay_client_cursors (
     channel_id TEXT NOT NULL REFERENCES relay_channels (id) ON DELETE CASCADE, client TEXT NOT NULL,
     acked_seq BIGINT NOT NULL, acked_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (channel_id, client));`,
];

type Row = Record<string, unknown>;

export class PostgresStorage implements RelayStorage {
  private pool: Pool | null = null;
  private listener: PoolClient | null = null;
  private closed = false;
  private readonly events = new EventEmitter<{ stored: [string, number] }>();

  constructor(readonly url: string) {
    this.events.setMaxListeners(0);
  }

  readonly driver = 'pg';

  private async query(text: string, params: unknown[] = []): Promise<Row[]> {
    if (!this.pool) throw new Error('the relay database is not open');
    return (await this.pool.query(text, params)).rows as Row[];
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (!this.pool) throw new Error('the relay database is not open');
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async open(): Promise<void> {
    const { default: pg } = await import('pg');
    this.pool = new pg.Pool({ connectionString: this.url, max: 16, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
    // an idle client that loses its connection (the database restarted) must not take the process with it
    this.pool.on('error', () => undefined);
    await this.migrate();
    await this.listen();
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS relay_schema (version INTEGER NOT NULL)');
      const { rows } = await client.query('SELECT MAX(version) AS version FROM relay_schema');
      const current = num((rows[0] as Row | undefined)?.version);
      for (let v = current; v < MIGRATIONS.length; v++) {
        await client.query(MIGRATIONS[v]!);
        await client.query('INSERT INTO relay_schema (version) VALUES ($1)', [v + 1]);
      }
    });
  }

  /** Holds one connection for LISTEN; when it drops, gets another and wakes every stream. */
  private async listen(): Promise<void> {
    if (this.closed || !this.pool) return;
    try {
      const client = await this.pool.connect();
      this.listener = client;
      client.on('notification', (message) => {
        const [channel, seq] = String(message.payload ?? '').split(':');
        if (channel) this.events.emit('stored', channel, Number(seq));
      });
      client.on('error', () => {
        this.listener = null;
        client.release(true);
        setTimeout(() => void this.listen(), 500).unref();
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.events.emit('stored', WAKE_ALL, 0);
    } catch {
      this.listener = null;
      setTimeout(() => void this.listen(), 1_000).unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener?.release(true);
    this.listener = null;
    await this.pool?.end().catch(() => undefined);
    this.pool = null;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async getSetting(key: string): Promise<string | null> {
    const [row] = await this.query('SELECT value FROM relay_settings WHERE key = $1', [key]);
    return row ? str(row.value) : null;
  }

  async initSetting(key: string, value: string): Promise<string> {
    await this.query('INSERT INTO relay_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getSetting(key))!;
  }

  async createChannel(c: ChannelRecord): Promise<void> {
    await this.query('INSERT INTO relay_channels (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)', [
      c.id,
      c.name,
      c.tokenHash,
      c.createdAt,
    ]);
  }

  async channel(id: string): Promise<ChannelRecord | null> {
    const [row] = await this.query('SELECT id, name, token_hash, created_at, last_seq FROM relay_channels WHERE id = $1', [id]);
    return row ? channelFromRow(row) : null;
  }

  async deleteChannel(id: string): Promise<boolean> {
    const rows = await this.query('DELETE FROM relay_channels WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  async channels(): Promise<ChannelStats[]> {
    const rows = await this.query(
      `SELECT c.id, c.name, c.created_at, c.last_seq, c.acked_seq, c.held, c.bytes,
         (SELECT MIN(seq) FROM relay_deliveries d WHERE d.channel_id = c.id) AS oldest
       FROM relay_channels c ORDER BY c.created_at, c.id`,
    );
    const clients = await this.query('SELECT channel_id, client, acked_seq, acked_at FROM relay_client_cursors ORDER BY client');
    return rows.map((row) => statsFromRow(row, clients));
  }

  async store(channelId: string, d: RelayIncoming): Promise<{ seq: number; bytes: number }> {
    // one statement, so one round trip and its own transaction: the channel row is bumped (its lock
    // orders commits per channel), the delivery inserted, and every relay notified at commit
    const [row] = await this.query(
      `WITH c AS (
         UPDATE relay_channels SET last_seq = last_seq + 1, held = held + 1, bytes = bytes + $9 WHERE id = $1 RETURNING last_seq, bytes),
       d AS (
         INSERT INTO relay_deliveries (channel_id, seq, received_at, method, path, query, headers, body, size)
         SELECT $1, c.last_seq, $2, $3, $4, $5, $6, $7, $9 FROM c RETURNING seq)
       SELECT c.last_seq, c.bytes, pg_notify($8, $1 || ':' || c.last_seq) FROM c, d`,
      [channelId, d.receivedAt, d.method, d.path, d.query, JSON.stringify(d.headers), d.body, NOTIFY_CHANNEL, d.body.length],
    );
    if (!row) throw new Error(`no channel ${channelId}`);
    return { seq: num(row.last_seq), bytes: num(row.bytes) };
  }

  async after(channelId: string, seq: number, { maxRows, maxBytes }: { maxRows: number; maxBytes: number }): Promise<RelayDelivery[]> {
    // which rows fit is worked out on sizes alone; the rows themselves are then read by key
    const [fit] = await this.query(
      `SELECT MAX(seq) AS last FROM (
         SELECT seq, SUM(size) OVER (ORDER BY seq) - size AS before FROM relay_deliveries
         WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) batch
       WHERE before < $4 OR before = 0`,
      [channelId, seq, maxRows, maxBytes],
    );
    if (fit?.last === null || fit?.last === undefined) return [];
    const rows = await this.query(
      'SELECT seq, received_at, method, path, query, headers, body FROM relay_deliveries WHERE channel_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq',
      [channelId, seq, num(fit.last)],
    );
    return rows.map(deliveryFromRow);
  }

  async ack(channelId: string, seq: number, client?: string): Promise<void> {
    // one statement: the channel's cursor and, when the client is named, its own (never moving back)
    await this.query(
      `WITH c AS (
         UPDATE relay_channels SET acked_seq = GREATEST(acked_seq, LEAST($1, last_seq)) WHERE id = $2 RETURNING last_seq)
       INSERT INTO relay_client_cursors (channel_id, client, acked_seq, acked_at)
       SELECT $2, $3, LEAST($1, c.last_seq), now() FROM c WHERE $3::text IS NOT NULL
       ON CONFLICT (channel_id, client) DO UPDATE
         SET acked_seq = GREATEST(relay_client_cursors.acked_seq, EXCLUDED.acked_seq), acked_at = EXCLUDED.acked_at`,
      [seq, channelId, client ?? null],
    );
  }

  async clientCursor(channelId: string, client: string): Promise<number> {
    const [row] = await this.query('SELECT acked_seq FROM relay_client_cursors WHERE channel_id = $1 AND client = $2', [channelId, client]);
    return num(row?.acked_seq);
  }

  async prune(channelId: string, { olderThan, maxBytes }: Retention): Promise<number> {
    // in batches, each its own short transaction, so ingest on the channel is never held up for long
    let dropped = 0;
    for (;;) {
      const n = await this.transaction(async (client) => {
        const { rows: fit } = await client.query(
          `SELECT COALESCE(MIN(seq), (SELECT MAX(seq) FROM relay_deliveries WHERE channel_id = $1)) AS floor FROM (
             SELECT seq, SUM(size) OVER (ORDER BY seq DESC) AS total FROM relay_deliveries WHERE channel_id = $1) kept
           WHERE total <= $2`,
          [channelId, maxBytes],
        );
        const floor = num((fit[0] as Row | undefined)?.floor);
        const { rows } = await client.query(
          `DELETE FROM relay_deliveries WHERE channel_id = $1 AND seq IN (
             SELECT seq FROM relay_deliveries WHERE channel_id = $1 AND (seq < $2 OR received_at < $3) ORDER BY seq LIMIT 1000)
           RETURNING size`,
          [channelId, floor, olderThan.toISOString()],
        );
        if (rows.length === 0) return 0;
        const bytes = (rows as Row[]).reduce((sum, r) => sum + num(r.size), 0);
        await client.query('UPDATE relay_channels SET held = held - $1, bytes = bytes - $2 WHERE id = $3', [rows.length, bytes, channelId]);
        return rows.length;
      });
      dropped += n;
      if (n < 1000) return dropped;
    }
  }

  onStored(listener: (channelId: string, seq: number) => void): () => void {
    this.events.on('stored', listener);
    return () => this.events.off('stored', listener);
  }
}

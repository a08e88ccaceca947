/**
 * The relay's embedded engine: one SQLite file in WAL mode, `synchronous=FULL`, so a delivery is
 * on disk (its commit fsynced) before the relay answers 200. A failed commit (a full disk, a
 * read-only file) throws and the relay answers 503; the next delivery simply tries again, so
 * recording resumes by itself once the disk can take it.
 */

import { EventEmitter } from 'node:events';
import { chmod } from 'node:fs/promises';
import { openSqlite, type SqlDatabase, type SqlRow, type SqlStatement } from './sqlite-driver.js';
import { channelFromRow, deliveryFromRow, num, statsFromRow, str } from './rows.js';
import type { ChannelRecord, ChannelStats, RelayDelivery, RelayIncoming, RelayStorage, Retention } from './storage.js';

/** Versioned migrations, applied in order, each once; the version lives in the database. */
const MIGRATIONS: string[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE channels (
     id TEXT PRIMARY KEY, name TEXT, token_hash TEXT NOT NULL, created_at TEXT NOT NULL,
     last_seq INTEGER NOT NULL DEFAULT 0, acked_seq INTEGER NOT NULL DEFAULT 0,
     held INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE deliveries (
     channel_id TEXT NOT NULL, seq INTEGER NOT NULL, received_at TEXT NOT NULL,
     method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, headers TEXT NOT NULL,
     body BLOB NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (channel_id, seq));`,
  `CREATE TABLE client_cursors (
     channel_id TEXT NOT NULL, client TEXT NOT NULL, acked_seq INTEGER NOT NULL, acked_at TEXT NOT NULL,
     PRIMARY KEY (channel_id, client));`,
];

export class SqliteStorage implements RelayStorage {
  private db: SqlDatabase | null = null;
  private readonly events = new EventEmitter<{ stored: [string, number] }>();
  private statements = new Map<string, SqlStatement>();

  constructor(readonly path: string) {
    this.events.setMaxListeners(0);
  }

  get driver(): string {
    return this.db?.driver ?? 'none';
  }

  private sql(text: string): SqlStatement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (!this.db) throw new Error('the relay database is not open');
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private transaction<T>(work: () => T): T {
    this.db!.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db!.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        this.db!.exec('ROLLBACK');
      } catch {
        // the failed statement may have rolled back already
      }
      throw error;
    }
  }

  async open(): Promise<void> {
    const db = await openSqlite(this.path);
    this.db = db;
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    // the file holds tokens' hashes and every body: private, as the listener's store
    await chmod(this.path, 0o600).catch(() => undefined);
    this.transaction(() => {
      const current = num((db.prepare('PRAGMA user_version').get() as SqlRow).user_version);
      MIGRATIONS.slice(current).forEach((migration) => db.exec(migration));
      if (current < MIGRATIONS.length) db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
    });
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db?.close();
    this.db = null;
  }

  async healthy(): Promise<boolean> {
    try {
      this.sql('SELECT 1 AS ok').get();
      return true;
    } catch {
      return false;
    }
  }

  async getSetting(key: string): Promise<string | null> {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get(key);
    return row ? str(row.value) : null;
  }

  async initSetting(key: string, value: string): Promise<string> {
    this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (await this.getSetting(key))!;
  }

  async createChannel(c: ChannelRecord): Promise<void> {
    this.sql('INSERT INTO channels (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run(c.id, c.name, c.tokenHash, c.createdAt);
  }

  async channel(id: string): Promise<ChannelRecord | null> {
    const row = this.sql('SELECT id, name, token_hash, created_at, last_seq FROM channels WHERE id = ?').get(id);
    return row ? channelFromRow(row) : null;
  }

  async deleteChannel(id: string): Promise<boolean> {
    return this.transaction(() => {
      this.sql('DELETE FROM deliveries WHERE channel_id = ?').run(id);
      this.sql('DELETE FROM client_cursors WHERE channel_id = ?').run(id);
      return num(this.sql('DELETE FROM channels WHERE id = ?').run(id).changes) > 0;
    });
  }

  async channels(): Promise<ChannelStats[]> {
    const rows = this.sql(
      `SELECT c.id, c.name, c.created_at, c.last_seq, c.acked_seq, c.held, c.bytes,
         (SELECT MIN(seq) FROM deliveries d WHERE d.channel_id = c.id) AS oldest
       FROM channels c ORDER BY c.created_at, c.id`,
    ).all();
    const clients = this.sql('SELECT channel_id, client, acked_seq, acked_at FROM client_cursors ORDER BY client').all();
    return rows.map((row) => statsFromRow(row, clients));
  }

  async store(channelId: string, d: RelayIncoming): Promise<{ seq: number; bytes: number }> {
    const stored = this.transaction(() => {
      const row = this.sql(
        'UPDATE channels SET last_seq = last_seq + 1, held = held + 1, bytes = bytes + ? WHERE id = ? RETURNING last_seq, bytes',
      ).get(d.body.length, channelId);
      if (!row) throw new Error(`no channel ${channelId}`);
      const next = num(row.last_seq);
      this.sql(
        'INSERT INTO deliveries (channel_id, seq, received_at, method, path, query, headers, body, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(channelId, next, d.receivedAt, d.method, d.path, d.query, JSON.stringify(d.headers), d.body, d.body.length);
      return { seq: next, bytes: num(row.bytes) };
    });
    this.events.emit('stored', channelId, stored.seq);
    return stored;
  }

  async after(channelId: string, seq: number, { maxRows, maxBytes }: { maxRows: number; maxBytes: number }): Promise<RelayDelivery[]> {
    // which rows fit is worked out on sizes alone (a window over the bodies would copy every one of
    // them into a temporary table); then the rows themselves are read plainly by primary key
    const last = this.sql(
      `SELECT MAX(seq) AS last FROM (
         SELECT seq, SUM(size) OVER (ORDER BY seq) - size AS before FROM deliveries
         WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?)
       WHERE before < ? OR before = 0`,
    ).get(channelId, seq, maxRows, maxBytes)?.last;
    if (last === null || last === undefined) return [];
    const rows = this.sql(
      'SELECT seq, received_at, method, path, query, headers, body FROM deliveries WHERE channel_id = ? AND seq > ? AND seq <= ? ORDER BY seq',
    ).all(channelId, seq, num(last));
    return rows.map(deliveryFromRow);
  }

  async ack(channelId: string, seq: number, client?: string): Promise<void> {
    this.transaction(() => {
      this.sql('UPDATE channels SET acked_seq = MAX(acked_seq, MIN(?, last_seq)) WHERE id = ?').run(seq, channelId);
      if (client === undefined) return;
      this.sql(
        `INSERT INTO client_cursors (channel_id, client, acked_seq, acked_at)
         SELECT id, ?, MIN(?, last_seq), ? FROM channels WHERE id = ?
         ON CONFLICT (channel_id, client) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), acked_at = excluded.acked_at`,
      ).run(client, seq, new Date().toISOString(), channelId);
    });
  }

  async clientCursor(channelId: string, client: string): Promise<number> {
    return num(this.sql('SELECT acked_seq FROM client_cursors WHERE channel_id = ? AND client = ?').get(channelId, client)?.acked_seq);
  }

  async prune(channelId: string, { olderThan, maxBytes }: Retention): Promise<number> {
    return this.transaction(() => {
      // the newest deliveries whose bodies fit in maxBytes stay; anything older, or received before the cut, goes
      const keepFrom = this.sql(
        `SELECT MIN(seq) AS seq FROM (
           SELECT seq, SUM(size) OVER (ORDER BY seq DESC) AS total FROM deliveries WHERE channel_id = ?)
         WHERE total <= ?`,
      ).get(channelId, maxBytes);
      // even the newest alone is over the limit: it stays (a client has yet to get it)
      const newest = () => num(this.sql('SELECT MAX(seq) AS seq FROM deliveries WHERE channel_id = ?').get(channelId)?.seq);
      const floor = keepFrom?.seq === null || keepFrom?.seq === undefined ? newest() : num(keepFrom.seq);
      const gone = this.sql(
        'SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM deliveries WHERE channel_id = ? AND (seq < ? OR received_at < ?)',
      ).get(channelId, floor, olderThan.toISOString())!;
      const n = num(gone.n);
      if (n === 0) return 0;
      this.sql('DELETE FROM deliveries WHERE channel_id = ? AND (seq < ? OR received_at < ?)').run(
        channelId,
        floor,
        olderThan.toISOString(),
      );
      this.sql('UPDATE channels SET held = held - ?, bytes = bytes - ? WHERE id = ?').run(n, num(gone.bytes), channelId);
      return n;
    });
  }

  onStored(listener: (channelId: string, seq: number) => void): () => void {
    this.events.on('stored', listener);
    return () => this.events.off('stored', listener);
  }
}

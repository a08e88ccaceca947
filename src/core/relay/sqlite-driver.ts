/**
 * One small synchronous SQLite surface over two drivers: Node's own `node:sqlite` where it is
 * stable and silent (Node 24 and later), else `better-sqlite3` (an optional peer dependency, installed only by those who want it: Node 20
 * has no built-in SQLite). Both give positional parameters and plain objects for rows; blobs come
 * back as Buffers whichever driver read them.
 */

import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | Buffer | Uint8Array | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

export interface SqlDatabase {
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

/** How both drivers open a database: the same constructor shape. */
type Opener = new (
  path: string,
  options?: { timeout?: number },
) => { exec(sql: string): void; prepare(sql: string): SqlStatement; close(): void };

interface NodeSqlite {
  DatabaseSync: Opener;
}

type BetterSqlite = Opener;

/** node:sqlite prints no warning from Node 24 on; earlier releases either lack it or flag it experimental. */
function builtInUsable(): boolean {
  return Number(process.versions.node.split('.')[0]) >= 24;
}

const asBuffer = (value: SqlValue): SqlValue =>
  value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;

function withBuffers(statement: SqlStatement): SqlStatement {
  const fix = (row: SqlRow | undefined) => {
    if (row) for (const key of Object.keys(row)) row[key] = asBuffer(row[key]!);
    return row;
  };
  return {
    run: (...params) => statement.run(...params),
    get: (...params) => fix(statement.get(...params)),
    all: (...params) => statement.all(...params).map((row) => fix(row)!),
  };
}

/** Opens (creating) the database file; throws with the driver's own message when it cannot. */
export async function openSqlite(path: string, busyTimeoutMs = 5000): Promise<SqlDatabase> {
  if (builtInUsable()) {
    // named through a variable: the type definitions for Node 20 know no node:sqlite
    const builtIn = 'node:sqlite';
    const { DatabaseSync } = (await import(builtIn)) as NodeSqlite;
    const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    return { driver: 'node:sqlite', exec: (sql) => db.exec(sql), prepare: (sql) => withBuffers(db.prepare(sql)), close: () => db.close() };
  }
  let Database: BetterSqlite;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as BetterSqlite;
  } catch (error) {
    throw new Error(
      `the relay's SQLite needs the better-sqlite3 package on Node ${process.versions.node} (Node 24 has SQLite built in): npm install better-sqlite3@12 beside idpass, run the relay on Node 24 or later, or give it --db postgres://… (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  return { driver: 'better-sqlite3', exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), close: () => db.close() };
}

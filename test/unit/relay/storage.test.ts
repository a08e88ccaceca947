import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../../src/core/relay/postgres.js';
import { SqliteStorage } from '../../../src/core/relay/sqlite.js';
import type { RelayStorage } from '../../../src/core/relay/storage.js';
import { startCluster, type TestCluster } from '../../helpers/pg-cluster.mjs';
import { bearerMatches, hashToken, newChannelId, newToken } from '../../../src/core/relay/secrets.js';

const incoming = (n: number, size = 10) => ({
  receivedAt: new Date(Date.now() - (10 - n) * 1000).toISOString(),
  method: 'POST',
  path: '/hooks',
  query: 'a=1',
  headers: [
    ['X-Odd', 'a'],
    ['x-odd', 'b'],
  ] as [string, string][],
  body: Buffer.alloc(size, n),
});

let cluster: TestCluster | null = null;

/** Both engines, one suite: a real SQLite file, and a real PostgreSQL (a throwaway cluster). */
const engines: { name: string; open: () => Promise<RelayStorage> }[] = [
  {
    name: 'SQLite (a real file)',
    open: async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'idpass-relay-db-')), 'relay.sqlite');
      const storage = new SqliteStorage(path);
      await storage.open();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      return storage;
    },
  },
  {
    name: 'PostgreSQL (a throwaway cluster)',
    open: async () => {
      cluster ??= await startCluster();
      const storage = new PostgresStorage(await cluster.database());
      await storage.open();
      return storage;
    },
  },
];

afterAll(() => cluster?.stop());

async function opened(engine: (typeof engines)[number]) {
  return { storage: await engine.open() };
}

describe.each(engines)('the relay’s storage: $name', (engine) => {
  beforeAll(async () => {
    // the cluster starts once, before the first PostgreSQL case
    if (engine.name.startsWith('PostgreSQL')) cluster ??= await startCluster();
  }, 60_000);

  it('numbers deliveries per channel, keeps every byte and header, and reads them back in batches', async () => {
    const { storage } = await opened(engine);
    const a = newChannelId();
    const b = newChannelId();
    for (const id of [a, b])
      await storage.createChannel({ id, name: null, tokenHash: hashToken(newToken('channel')), createdAt: new Date().toISOString() });
    for (let i = 1; i <= 5; i++) expect((await storage.store(a, incoming(i))).seq).toBe(i);
    expect((await storage.store(b, incoming(9))).seq).toBe(1);
    const all = await storage.after(a, 0, { maxRows: 100, maxBytes: 1e9 });
    expect(all.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all[2]!.body.equals(Buffer.alloc(10, 3))).toBe(true);
    expect(all[0]!.headers).toEqual([
      ['X-Odd', 'a'],
      ['x-odd', 'b'],
    ]);
    expect((await storage.after(a, 3, { maxRows: 100, maxBytes: 1e9 })).map((d) => d.seq)).toEqual([4, 5]);
    // past the first row, a batch stops at the byte limit
    expect((await storage.after(a, 0, { maxRows: 100, maxBytes: 25 })).map((d) => d.seq)).toEqual([1, 2, 3]);
    await storage.ack(a, 4);
    await storage.ack(a, 2);
    const stats = (await storage.channels()).find((c) => c.id === a)!;
    expect(stats).toMatchObject({ held: 5, bytes: 50, lastSeq: 5, ackedSeq: 4, oldestSeq: 1, clients: [] });
    await storage.close();
  });

  it('keeps a cursor per named client that never moves back nor past the newest, and drops them with the channel', async () => {
    const { storage } = await opened(engine);
    const a = newChannelId();
    const b = newChannelId();
    for (const id of [a, b])
      await storage.createChannel({ id, name: null, tokenHash: hashToken(newToken('channel')), createdAt: new Date().toISOString() });
    for (let i = 1; i <= 6; i++) await storage.store(a, incoming(i));
    await storage.store(b, incoming(1));
    await storage.ack(a, 2, 'alice');
    await storage.ack(a, 5, 'bob');
    await storage.ack(a, 1, 'alice');
    await storage.ack(a, 99, 'carol');
    await storage.ack(b, 1, 'alice');
    expect(await storage.clientCursor(a, 'alice')).toBe(2);
    expect(await storage.clientCursor(a, 'bob')).toBe(5);
    expect(await storage.clientCursor(a, 'carol')).toBe(6);
    expect(await storage.clientCursor(a, 'dave')).toBe(0);
    expect(await storage.clientCursor(b, 'alice')).toBe(1);
    const stats = (await storage.channels()).find((c) => c.id === a)!;
    expect(stats.ackedSeq).toBe(6);
    expect(stats.clients.map((c) => [c.client, c.ackedSeq])).toEqual([
      ['alice', 2],
      ['bob', 5],
      ['carol', 6],
    ]);
    expect(Date.parse(stats.clients[0]!.ackedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await storage.deleteChannel(a)).toBe(true);
    expect(await storage.clientCursor(a, 'bob')).toBe(0);
    expect(await storage.clientCursor(b, 'alice')).toBe(1);
    await storage.close();
  });

  it('retention by size and by age keeps the newest, and never the newest alone past the limit', async () => {
    const { storage } = await opened(engine);
    const id = newChannelId();
    await storage.createChannel({ id, name: 'r', tokenHash: hashToken('x'), createdAt: new Date().toISOString() });
    for (let i = 1; i <= 10; i++) await storage.store(id, incoming(i, 100));
    expect(await storage.prune(id, { olderThan: new Date(0), maxBytes: 350 })).toBe(7);
    expect((await storage.after(id, 0, { maxRows: 100, maxBytes: 1e9 })).map((d) => d.seq)).toEqual([8, 9, 10]);
    expect(await storage.prune(id, { olderThan: new Date(0), maxBytes: 10 })).toBe(2);
    expect((await storage.after(id, 0, { maxRows: 100, maxBytes: 1e9 })).map((d) => d.seq)).toEqual([10]);
    expect(await storage.prune(id, { olderThan: new Date(Date.now() + 1000), maxBytes: 1e9 })).toBe(1);
    expect((await storage.channels())[0]).toMatchObject({ held: 0, bytes: 0, lastSeq: 10, oldestSeq: null });
    await storage.close();
  });

  it('a setting is set once; a commit is heard by onStored', async () => {
    const first = await engine.open();
    const ch = newChannelId();
    await first.createChannel({ id: ch, name: null, tokenHash: 'h', createdAt: new Date().toISOString() });
    expect(await first.initSetting('k', 'one')).toBe('one');
    expect(await first.initSetting('k', 'two')).toBe('one');
    const seen: string[] = [];
    first.onStored((id) => seen.push(id));
    await first.store(ch, incoming(1));
    for (let i = 0; i < 40 && !seen.includes(ch); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(seen).toContain(ch);
    await first.close();
  });
});

describe('two relays on one PostgreSQL', () => {
  it('start at once on an empty database: one schema, no error; a commit through one is heard by the other', async () => {
    cluster ??= await startCluster();
    const url = await cluster.database();
    const [a, b] = [new PostgresStorage(url), new PostgresStorage(url)];
    await Promise.all([a.open(), b.open()]);
    const ch = newChannelId();
    await a.createChannel({ id: ch, name: null, tokenHash: 'h', createdAt: new Date().toISOString() });
    const heard: number[] = [];
    b.onStored((id, seq) => id === ch && heard.push(seq));
    await Promise.all([a.store(ch, incoming(1)), b.store(ch, incoming(2)), a.store(ch, incoming(3))]);
    for (let i = 0; i < 40 && heard.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(heard.sort()).toEqual([1, 2, 3]);
    expect((await b.after(ch, 0, { maxRows: 10, maxBytes: 1e9 })).map((d) => d.seq)).toEqual([1, 2, 3]);
    await Promise.all([a.close(), b.close()]);
  }, 60_000);
});

describe('relay tokens', () => {
  it('tokens: 256 random bits, kept as a hash, compared whole', () => {
    const token = newToken('channel');
    expect(token).toMatch(/^rtc_[A-Za-z0-9_-]{43}$/);
    expect(newChannelId()).toMatch(/^ch_[0-9a-f]{32}$/);
    const hash = hashToken(token);
    expect(bearerMatches(`Bearer ${token}`, hash)).toBe(true);
    expect(bearerMatches(`Bearer ${token.slice(0, -1)}`, hash)).toBe(false);
    expect(bearerMatches(token, hash)).toBe(false);
    expect(bearerMatches(undefined, hash)).toBe(false);
  });
});

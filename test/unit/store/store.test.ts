import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeLine,
  deliveryFromRecord,
  encodeDelivery,
  encodeDeliveryLine,
  lineBytes,
  lineText,
  encodeOutcome,
  parseStoreText,
  type StoredDelivery,
} from '../../../src/core/store/codec.js';
import { defaultStateDir, DeliveryStore, newDeliveryId, StoreError } from '../../../src/core/store/log.js';
import { countDeliveries, readNewest, readRecentTokens, scanForId } from '../../../src/core/store/read.js';
import { findRecord, RecordLookupError } from '../../../src/core/store/lookup.js';
import { KEY, makeDelivery, verified } from '../../helpers/deliveries.js';

/** A stored delivery line with every field, for building stores by hand. */
const storedDelivery = (id: string, extra: Partial<StoredDelivery> = {}): StoredDelivery => ({
  kind: 'delivery',
  v: 1,
  id,
  receivedAt: '2026-01-01T00:00:00.000Z',
  method: 'POST',
  path: '/',
  headers: [['token', id]],
  body: Buffer.from(`{"id":"${id}"}`).toString('base64'),
  size: 10,
  tooLarge: false,
  event: null,
  identityStatus: null,
  reference: null,
  verification: null,
  duplicate: false,
  jsonError: null,
  ignored: false,
  forwardTo: null,
  ...extra,
});

describe('store', () => {
  const delivery = storedDelivery;

  it('locates the state directory as the spec says ($IDPASS_HOME, $XDG_STATE_HOME/idpass, ~/.local/state/idpass)', () => {
    expect(defaultStateDir({ IDPASS_HOME: '/x/y' })).toBe('/x/y');
    expect(defaultStateDir({ XDG_STATE_HOME: '/state' })).toBe('/state/idpass');
    expect(defaultStateDir({})).toMatch(/\.local\/state\/idpass$/);
  });

  it('makes time-ordered unique ids', () => {
    const a = newDeliveryId(1_000);
    const b = newDeliveryId(2_000);
    expect(a < b).toBe(true);
    expect(newDeliveryId(1_000)).not.toBe(a);
  });

  it('merges outcomes and skips unreadable lines by number', () => {
    const text = [
      JSON.stringify(delivery('a')),
      '{"kind":"deliv',
      JSON.stringify({ kind: 'outcome', id: 'a', at: 'x', answerStatus: 201 }),
      '[]',
      JSON.stringify(delivery('b')),
      '',
    ].join('\n');
    const { records, skipped } = parseStoreText(text);
    expect(records.map((r) => r.id)).toEqual(['a', 'b']);
    expect(records[0]!.outcome?.answerStatus).toBe(201);
    expect(skipped).toEqual([2, 4]);
  });

  it('appends concurrently without interleaving, privately', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'idpass-store-')), 'state');
    const store = new DeliveryStore({ dir });
    await store.open();
    const big = 'x'.repeat(200_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(delivery(`d${i}`, { path: `/${big}` }))));
    await store.close();
    const { records, skipped } = await DeliveryStore.load(dir);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => `d${i}`));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('tightens the mode of an existing looser file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    writeFileSync(join(dir, 'deliveries.ndjson'), '', { mode: 0o644 });
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.close();
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('drops the oldest deliveries past its size limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const store = new DeliveryStore({ dir, maxBytes: 20_000 });
    await store.open();
    for (let i = 0; i < 100; i++) await store.append(delivery(`d${String(i).padStart(3, '0')}`, { path: `/${'p'.repeat(500)}` }));
    await store.append({ kind: 'outcome', id: 'd099', at: 'now', answerStatus: 200, forward: null });
    await store.close();
    expect(readFileSync(store.file).length).toBeLessThanOrEqual(20_000);
    const { records } = await DeliveryStore.load(dir);
    expect(records.length).toBeGreaterThan(5);
    expect(records.length).toBeLessThan(100);
    expect(records.at(-1)!.id).toBe('d099');
    expect(records.at(-1)!.outcome?.answerStatus).toBe(200);
    const ids = records.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('loads a missing store as empty', async () => {
    expect(await DeliveryStore.load(join(tmpdir(), 'idpass-none-' + Date.now()))).toEqual({ records: [], skipped: [] });
  });
});

describe('codec', () => {
  it('round-trips a delivery through its stored lines', () => {
    const original = makeDelivery(verified());
    original.forward = {
      url: 'http://app/hook',
      status: 201,
      answered: true,
      ms: 3,
      contentType: 'text/plain',
      body: Buffer.from('ok'),
      preview: 'ok',
      error: null,
      verdict: 'not-exactly-200',
    };
    const stored = encodeDelivery(original, 'http://app/hook');
    const outcome = encodeOutcome(original.id, 201, original.forward);
    const text = JSON.stringify(stored) + '\n' + JSON.stringify(outcome) + '\n';
    const { records } = parseStoreText(text);
    expect(records).toHaveLength(1);
    const back = deliveryFromRecord(records[0]!, { publicKey: KEY });
    expect(back.body!.equals(original.body!)).toBe(true);
    expect(back.headers).toEqual(original.headers);
    expect(back.classification.event).toBe(original.classification.event);
    expect(back.verification.valid).toBe(true);
    expect(back.answerStatus).toBe(201);
    expect(back.forward).toMatchObject({ status: 201, preview: 'ok', verdict: 'not-exactly-200' });
    expect(records[0]!.forwardTo).toBe('http://app/hook');
  });

  it('a delivery line written straight into bytes is exactly the JSON line, whatever the body size', () => {
    for (const size of [0, 1, 2, 3, 4, 49_151, 49_152, 49_153, 2_000_001]) {
      const d = makeDelivery(verified());
      d.body = Buffer.alloc(size, 0xab);
      d.body.write('{"x":"\u001b</script>"}');
      const bytes = lineBytes(encodeDeliveryLine(d, 'http://app/hook', ['http://app/hook', 'http://b/']));
      expect(bytes.equals(Buffer.from(lineText(encodeDelivery(d, 'http://app/hook', ['http://app/hook', 'http://b/']))))).toBe(true);
    }
    const none = makeDelivery(verified());
    none.body = null;
    expect(lineBytes(encodeDeliveryLine(none, null)).toString()).toBe(lineText(encodeDelivery(none, null)));
  });

  it('large deliveries written together through the reused buffer come back byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-big-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    const made = [300_000, 5, 2_000_000, 40_000_000, 1_000_001].map((size, i) => {
      const d = { ...makeDelivery(verified(`big-${i}`)), id: `big${i}` };
      d.body = randomBytes(size);
      return d;
    });
    // all at once: one batch, partly through the reused buffer, one too large for it
    await Promise.all(made.map((d) => store.append(encodeDeliveryLine(d, null))));
    await Promise.all(made.slice(0, 2).map((d) => store.append(encodeDeliveryLine({ ...d, id: `${d.id}-again` }, null))));
    await store.close();
    const { records, skipped } = await DeliveryStore.load(dir);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(7);
    for (const d of made) expect(Buffer.from(records.find((r) => r.id === d.id)!.body!, 'base64').equals(d.body!)).toBe(true);
    expect(Buffer.from(records.find((r) => r.id === 'big0-again')!.body!, 'base64').equals(made[0]!.body!)).toBe(true);
  });

  it('reads lines written without the optional fields, and refuses ones that are not its own', () => {
    const minimal = decodeLine({ kind: 'delivery', id: 'x', receivedAt: 't', headers: [], body: null });
    expect(minimal).toMatchObject({ kind: 'delivery', tooLarge: true, event: null, verification: null, duplicate: false });
    expect(decodeLine({ kind: 'delivery', id: 'x', receivedAt: 't', headers: 'nope' })).toBeNull();
    expect(decodeLine({ kind: 'other', id: 'x' })).toBeNull();
    expect(decodeLine([])).toBeNull();
  });
});

describe('lookup', () => {
  const records = parseStoreText(
    ['aa1', 'aa2', 'b'].map((id) => JSON.stringify({ kind: 'delivery', id, receivedAt: 't', headers: [], body: '' })).join('\n'),
  ).records;

  it('finds an exact id or a unique prefix', () => {
    expect(findRecord(records, 'b').id).toBe('b');
    expect(findRecord(records, 'aa2').id).toBe('aa2');
  });

  it('says whether nothing matched, the store is empty, or the prefix is ambiguous', () => {
    const codeOf = (list: typeof records, id: string) => {
      try {
        findRecord(list, id);
      } catch (error) {
        return (error as RecordLookupError).code;
      }
    };
    expect(codeOf(records, 'zz')).toBe('no-match');
    expect(codeOf([], 'zz')).toBe('store-empty');
    expect(codeOf(records, 'aa')).toBe('ambiguous');
  });
});

describe('store faults: another process, a crash, a planted link', () => {
  const line = (id: string) => storedDelivery(id, { body: '', size: 0 });
  const ids = async (dir: string) => (await DeliveryStore.load(dir)).records.map((r) => r.id);

  it('keeps appending to the file the path names after it was deleted (events clear)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.append(line('before'));
    unlinkSync(store.file);
    await store.append(line('after'));
    await store.close();
    expect(await ids(dir)).toEqual(['after']);
  });

  it('follows a file replaced by another process (its compaction renamed a copy over it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.append(line('a'));
    writeFileSync(join(dir, 'other.tmp'), JSON.stringify(line('a')) + '\n');
    renameSync(join(dir, 'other.tmp'), store.file);
    await store.append(line('b'));
    await store.close();
    expect(await ids(dir)).toEqual(['a', 'b']);
  });

  it('seals a torn last line on open, so the next delivery is not glued to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    writeFileSync(join(dir, 'deliveries.ndjson'), JSON.stringify(line('whole')) + '\n{"kind":"delivery","id":"tor');
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.append(line('next'));
    await store.close();
    const { records, skipped } = await DeliveryStore.load(dir);
    expect(records.map((r) => r.id)).toEqual(['whole', 'next']);
    expect(skipped).toEqual([2]);
  });

  it('refuses a link planted at the store path and leaves its target alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const target = join(mkdtempSync(join(tmpdir(), 'idpass-victim-')), 'victim');
    writeFileSync(target, 'precious\n', { mode: 0o644 });
    symlinkSync(target, join(dir, 'deliveries.ndjson'));
    const store = new DeliveryStore({ dir });
    await expect(store.open()).rejects.toThrow(StoreError);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it('warns about a state folder others can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    chmodSync(dir, 0o755);
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.close();
    expect(store.warnings.join(' ')).toMatch(/readable by others \(mode 755\)/);
  });

  it('compacts through an unpredictable, exclusive temp file: a link at the old name is not written through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const victim = join(mkdtempSync(join(tmpdir(), 'idpass-victim-')), 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, `deliveries.ndjson.${process.pid}.tmp`));
    const store = new DeliveryStore({ dir, maxBytes: 4_000 });
    await store.open();
    for (let i = 0; i < 40; i++) await store.append(line(`d${String(i).padStart(2, '0')}`));
    await store.close();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const kept = await ids(dir);
    expect(kept.at(-1)).toBe('d39');
    expect(kept.length).toBeLessThan(40);
  });
});

describe('streaming readers', () => {
  const delivery = (id: string) => storedDelivery(id, { receivedAt: 't', headers: [], body: '', size: 0 });
  it('read the newest first, the tail, and one id, without loading the whole store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    for (let i = 0; i < 300; i++) {
      await store.append({
        ...delivery(`id-${String(i).padStart(3, '0')}`),
        event: i % 2 ? 'verification.failed' : 'verification.completed',
      });
      if (i === 150) await store.append({ kind: 'outcome', id: 'id-150', at: 'x', answerStatus: 502, forward: null });
    }
    await store.close();
    const newest = await readNewest(dir, { limit: 5, chunkBytes: 700 });
    expect(newest.records.map((r) => r.id)).toEqual(['id-299', 'id-298', 'id-297', 'id-296', 'id-295']);
    expect(newest.complete).toBe(false);
    const failed = await readNewest(dir, { limit: 2, filter: (r) => r.event === 'verification.failed', chunkBytes: 333 });
    expect(failed.records.map((r) => r.id)).toEqual(['id-299', 'id-297']);
    const all = await readNewest(dir, { limit: 1000, chunkBytes: 999 });
    expect(all.records).toHaveLength(300);
    expect(all.records.find((r) => r.id === 'id-150')?.outcome?.answerStatus).toBe(502);
    // the tokens listen seeds duplicate detection from: only the tail is read
    const tokenDir = mkdtempSync(join(tmpdir(), 'idpass-store-'));
    const withTokens = new DeliveryStore({ dir: tokenDir });
    await withTokens.open();
    for (let i = 0; i < 50; i++) {
      const verification = {
        valid: true,
        reason: 'valid' as const,
        scheme: 'prembly-hmac' as const,
        message: '',
        weak: false,
        token: `tok-${i}`,
        key: 'sandbox' as const,
      };
      await withTokens.append(storedDelivery(`t-${i}`, { verification }));
    }
    await withTokens.close();
    const recent = await readRecentTokens(tokenDir, 2_000);
    expect(recent.tokens.at(-1)).toBe('tok-49');
    expect(recent.tokens.length).toBeGreaterThan(2);
    expect(recent.tokens.length).toBeLessThan(50);
    expect(recent.unreadable).toEqual([]);
    expect((await scanForId(dir, 'id-150')).matches.map((r) => [r.id, r.outcome?.answerStatus])).toEqual([['id-150', 502]]);
    expect((await scanForId(dir, 'id-15')).matches.length).toBeGreaterThan(1);
    expect(await scanForId(join(dir, 'nope'), 'x')).toEqual({ matches: [], empty: true, prefixCount: 0 });
    expect(await countDeliveries(dir)).toBe(300);
    expect(await countDeliveries(join(dir, 'nope'))).toBeNull();
    expect(existsSync(store.file)).toBe(true);
  });
});

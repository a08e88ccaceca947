import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventPatterns, PatternError } from '../../src/core/event-filter.js';
import { forwardableHeaders, identitypassWarning } from '../../src/core/forwarder.js';
import { redact } from '../../src/core/redact.js';
import { defaultStateDir, DeliveryStore, newDeliveryId, parseStoreText, type StoredDelivery } from '../../src/core/store.js';

const PNG = 'iVBORw0KGgo' + 'A'.repeat(400);

describe('redact', () => {
  it('masks ID numbers, dates of birth, phones, e-mail, addresses and images; keeps names', () => {
    const out = redact({
      data: {
        bvn: '22200000001',
        firstName: 'ADA',
        dateOfBirth: '01-Jan-1990',
        phoneNumber1: '08000000001',
        email: 'ada@example.com',
        residentialAddress: '1 Example Street',
        base64Image: PNG,
        images: [PNG],
        face_1: { image: PNG, bounding_box: { top: 0.2 } },
      },
      request_data: { number: '22200000001' },
      verification: { status: 'VERIFIED', reference: 'r' },
    });
    expect(out.data.bvn).toBe('•••••••••01');
    expect(out.data.firstName).toBe('ADA');
    expect(out.data.dateOfBirth).toBe('[redacted]');
    expect(out.data.phoneNumber1).toBe('•••••••••01');
    expect(out.data.email).toBe('[redacted]');
    expect(out.data.residentialAddress).toBe('[redacted]');
    expect(out.data.base64Image).toMatch(/^\[image, [\d.]+ B, redacted\]$/);
    expect(out.data.images[0]).toMatch(/^\[image/);
    expect(out.data.face_1.image).toMatch(/^\[image/);
    expect(out.data.face_1.bounding_box.top).toBe(0.2);
    expect(out.request_data.number).toBe('•••••••••01');
    expect(out.verification).toEqual({ status: 'VERIFIED', reference: 'r' });
  });

  it('hides a base64 blob under any key, and leaves the input alone', () => {
    const input = { something: PNG };
    expect(redact(input).something).toMatch(/^\[image/);
    expect(input.something).toBe(PNG);
  });
});

describe('event patterns', () => {
  it('matches names and globs', () => {
    const match = parseEventPatterns('verification.*, workflow.process.failed');
    expect(match('verification.completed')).toBe(true);
    expect(match('verification.async.completed')).toBe(true);
    expect(match('workflow.process.failed')).toBe(true);
    expect(match('workflow.process.completed')).toBe(false);
    expect(match(null)).toBe(false);
    expect(parseEventPatterns('*')('sdk.session.completed')).toBe(true);
  });

  it('refuses entries that match nothing, with suggestions', () => {
    expect(() => parseEventPatterns('verification.complete')).toThrow(/did you mean verification\.completed/);
    expect(() => parseEventPatterns('payment.*')).toThrow(PatternError);
    expect(() => parseEventPatterns(' , ')).toThrow(/at least one/);
  });
});

describe('forwarding headers', () => {
  it('drops hop-by-hop headers and those named by Connection, keeps casing and repeats', () => {
    const out = forwardableHeaders([
      ['Host', 'example'],
      ['Connection', 'keep-alive, X-Hop'],
      ['X-Hop', '1'],
      ['Content-Length', '10'],
      ['Transfer-Encoding', 'chunked'],
      ['X-Prembly-Signature', 'sig'],
      ['token', 't'],
      ['Accept', 'a'],
      ['accept', 'b'],
    ]);
    expect(out).toEqual({ 'X-Prembly-Signature': 'sig', token: 't', Accept: ['a', 'b'] });
  });

  it('warns about answers Identitypass would count as failed', () => {
    expect(identitypassWarning(200, 50)).toBeNull();
    expect(identitypassWarning(201, 50)).toMatch(/exactly 200/);
    expect(identitypassWarning(301, 50)).toMatch(/redirects/);
    expect(identitypassWarning(500, 50)).toMatch(/failed/);
    expect(identitypassWarning(200, 12_000)).toMatch(/gives up after 10 s/);
  });
});

describe('store', () => {
  const delivery = (id: string, extra: Partial<StoredDelivery> = {}): StoredDelivery => ({
    kind: 'delivery',
    v: 1,
    id,
    receivedAt: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    path: '/',
    headers: [['token', id]],
    body: Buffer.from(`{"id":"${id}"}`).toString('base64'),
    size: 10,
    ...extra,
  });

  it('locates the state directory as SPEC.md says', () => {
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
    const text = [JSON.stringify(delivery('a')), '{"kind":"deliv', JSON.stringify({ kind: 'outcome', id: 'a', at: 'x', answerStatus: 201 }), '[]', JSON.stringify(delivery('b')), ''].join('\n');
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
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(delivery(`d${i}`, { note: big }))));
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
    for (let i = 0; i < 100; i++) await store.append(delivery(`d${String(i).padStart(3, '0')}`, { pad: 'p'.repeat(500) }));
    await store.append({ kind: 'outcome', id: 'd099', at: 'now', answerStatus: 200 });
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

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sign } from '../../../src/core/signing/sign.js';
import { encodeDelivery } from '../../../src/core/store/codec.js';
import { DeliveryStore } from '../../../src/core/store/log.js';
import { findRecord, RecordLookupError } from '../../../src/core/store/lookup.js';
import { readNewest, scanForId } from '../../../src/core/store/read.js';
import { clockTime, formatDuration } from '../../../src/output/render/format.js';
import { makeDelivery, verified } from '../../helpers/deliveries.js';
import { runInProcess } from '../../helpers/run-command.js';

/** The small faults of the adversarial run: each reproduced as reported. */
describe('lookup and formatting faults', () => {
  it('an ambiguous prefix says how many deliveries it really matches, not how many were kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-lookup-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    for (let i = 0; i < 40; i++)
      await store.append(encodeDelivery({ ...makeDelivery(verified(`r-${i}`)), id: `0prefix${String(i).padStart(3, '0')}` }, null));
    await store.close();
    const { matches, prefixCount } = await scanForId(dir, '0prefix');
    expect(matches.length).toBeLessThan(40);
    expect(prefixCount).toBe(40);
    expect(() => findRecord(matches, '0prefix', prefixCount)).toThrow(/^40 deliveries start with 0prefix$/);
    const shown = await runInProcess(['events', 'show', '0prefix'], { env: { IDPASS_HOME: dir } });
    expect(shown.code).toBe(2);
    expect(shown.stderr).toMatch(/40 deliveries start with 0prefix/);
  });

  it('a delivery line written twice (two listeners racing a compaction) is listed, counted and shown once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-lookup-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    const twice = { ...makeDelivery(verified('twice')), id: 'dup0001' };
    await store.append(encodeDelivery(twice, null));
    await store.append(encodeDelivery({ ...makeDelivery(verified('between')), id: 'mid0001' }, null));
    // the second copy, as the other listener writes it again where the path now points
    await store.append(encodeDelivery(twice, null));
    await store.close();
    const { records } = await readNewest(dir, { limit: 10 });
    expect(records.map((r) => r.id)).toEqual(['dup0001', 'mid0001']);
    const { matches, prefixCount } = await scanForId(dir, 'dup');
    expect(matches.map((r) => r.id)).toEqual(['dup0001']);
    expect(prefixCount).toBe(1);
    const listed = await runInProcess(['events', 'list', '--json'], { env: { IDPASS_HOME: dir } });
    const ids = listed.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.filter((id) => id === 'dup0001')).toHaveLength(1);
  });

  it("an empty id matches nothing: events show '' is a usage error, not the first delivery", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-lookup-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    await store.append(encodeDelivery(makeDelivery(verified('only')), null));
    await store.close();
    expect(() => findRecord([], '')).toThrow(RecordLookupError);
    const shown = await runInProcess(['events', 'show', ''], { env: { IDPASS_HOME: dir } });
    expect(shown.code).toBe(2);
    expect(shown.stdout).toBe('');
  });

  it('a time that is not a time is shown as --:--:--, not NaN:NaN:NaN; durations are whole milliseconds', () => {
    expect(clockTime('yesterday')).toBe('--:--:--');
    expect(formatDuration(999.987942)).toBe('1000ms');
  });

  it('sign() refuses an empty key instead of signing with it', () => {
    expect(() => sign({ body: '{}', publicKey: '' })).toThrow(/needs the public key/);
    expect(() => sign({ body: '{}', publicKey: '   ' })).toThrow(TypeError);
  });
});

describe('reading one delivery back where the store wrote it', () => {
  it('placeOf and readDeliveryAt bring back exactly that delivery in one read; another id at that place is refused', async () => {
    const { readDeliveryAt } = await import('../../../src/core/store/read.js');
    const dir = mkdtempSync(join(tmpdir(), 'idpass-place-'));
    const store = new DeliveryStore({ dir });
    await store.open();
    const ds = [0, 1, 2].map((i) => ({ ...makeDelivery(verified(`p-${i}`)), id: `place-${i}` }));
    for (const d of ds) await store.append(encodeDelivery(d, null));
    const place = store.placeOf('place-1')!;
    expect(place).not.toBeNull();
    const record = await readDeliveryAt(dir, 'place-1', place);
    expect(record?.reference).toBe('p-1');
    expect(Buffer.from(record!.body!, 'base64').toString()).toBe(ds[1]!.body!.toString());
    expect(await readDeliveryAt(dir, 'place-2', place)).toBeNull();
    expect(store.placeOf('never')).toBeNull();
    await store.close();
  });
});

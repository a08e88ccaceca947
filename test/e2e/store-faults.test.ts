import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli.js';
import { tempHome } from '../helpers/listen.js';
import { postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import { storedDeliveries } from '../helpers/store.js';

/** Nothing answered is lost, whatever else happens to the store (built binary, real processes). */

const KEY = 'test_pk_store0faults0key0abcd';
const scope = testScope();
const body = (ref: string) => JSON.stringify({ verification: { status: 'VERIFIED', reference: ref }, billing_info: {} });
const post = (url: string, ref: string) => {
  const text = body(ref);
  return postRaw(url, text, {
    'content-type': 'application/json',
    'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
    token: ref,
  });
};

describe('the store under faults (built binary)', () => {
  it('events clear --yes while listen runs: every later delivery is still recorded', async () => {
    const l = await scope.listen(['--public-key', KEY]);
    await post(l.url, 'before');
    await l.waitForDeliveries(1);
    const cleared = await runCli(['events', 'clear', '--yes'], { env: { IDPASS_HOME: l.home } });
    expect(cleared.code).toBe(0);
    await post(l.url, 'after-1');
    await post(l.url, 'after-2');
    await l.waitForDeliveries(3);
    expect(storedDeliveries(l.home).map((d) => d.reference)).toEqual(['after-1', 'after-2']);
    const listed = jsonLines((await runCli(['events', 'list', '--json'], { env: { IDPASS_HOME: l.home } })).stdout);
    expect(listed.map((d) => d.reference)).toEqual(['after-2', 'after-1']);
  });

  it('two listeners on one folder past the size cap: neither loses a delivery to the other’s compaction', async () => {
    const home = tempHome();
    const a = await scope.listen(['--public-key', KEY], { home, env: { IDPASS_STORE_MAX: '6000' } });
    const b = await scope.listen(['--public-key', KEY], { home, env: { IDPASS_STORE_MAX: '6000' } });
    for (let i = 0; i < 30; i++) await post(i % 2 ? a.url : b.url, `r-${String(i).padStart(2, '0')}`);
    await a.waitForDeliveries(15);
    await b.waitForDeliveries(15);
    const refs = storedDeliveries(home).map((d) => d.reference);
    // compaction drops the oldest by design (down to about half of 6000 bytes: a few deliveries);
    // every delivery after the oldest one kept is there, from both listeners
    const oldest = refs.map((r) => Number(String(r).slice(2))).sort((x, y) => x - y)[0]!;
    expect(oldest).toBeGreaterThan(0);
    for (let i = oldest; i < 30; i++) expect(refs).toContain(`r-${String(i).padStart(2, '0')}`);
  });

  it('a store whose last line a crash cut off: the next delivery is readable', async () => {
    const home = tempHome();
    writeFileSync(join(home, 'deliveries.ndjson'), '{"kind":"delivery","id":"torn","receivedAt":"x","head');
    const l = await scope.listen(['--public-key', KEY], { home });
    await post(l.url, 'after-crash');
    await l.waitForDeliveries(1);
    expect(storedDeliveries(home).map((d) => d.reference)).toEqual(['after-crash']);
  });
});

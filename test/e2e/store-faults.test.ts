import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
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
    const cleared = await runInProcess(['events', 'clear', '--yes'], { env: { IDPASS_HOME: l.home } });
    expect(cleared.code).toBe(0);
    await post(l.url, 'after-1');
    await post(l.url, 'after-2');
    await l.waitForDeliveries(3);
    expect(storedDeliveries(l.home).map((d) => d.reference)).toEqual(['after-1', 'after-2']);
    const listed = jsonLines((await runInProcess(['events', 'list', '--json'], { env: { IDPASS_HOME: l.home } })).stdout);
    expect(listed.map((d) => d.reference)).toEqual(['after-2', 'after-1']);
  });

  it('two listeners on one folder past the size cap: neither loses a delivery to the other’s compaction', async () => {
    const home = tempHome();
    const a = await scope.listen(['--public-key', KEY], { home, env: { IDPASS_STORE_MAX: '6000b' } });
    const b = await scope.listen(['--public-key', KEY], { home, env: { IDPASS_STORE_MAX: '6000b' } });
    for (let i = 0; i < 30; i++) await post(i % 2 ? a.url : b.url, `r-${String(i).padStart(2, '0')}`);
    await a.waitForDeliveries(15);
    await b.waitForDeliveries(15);
    // a line appended in the instant another process renames its compacted copy in is copied across
    // a moment later: give an in-flight compaction that moment
    let refs: unknown[] = [];
    for (let tries = 0; tries < 40; tries++) {
      refs = storedDeliveries(home).map((d) => d.reference);
      if (refs.includes('r-29') && refs.includes('r-28')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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

// A full disk, for real: a 64 KB tmpfs as the state folder. Needs root and mount, as on the CI machines.
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
let tinyDisk: string | null = null;

describe.runIf(canMount)('a full disk (64 KB tmpfs)', () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) throw new Error('could not mount a tmpfs');
    tinyDisk = dir;
  });
  afterAll(() => {
    if (tinyDisk) spawnSync('umount', [tinyDisk]);
  });

  it('keeps answering, says once that the store cannot be written, and never reports a torn line as stored', async () => {
    const l = await scope.listen(['--public-key', KEY], { home: tinyDisk! });
    const pad = 'x'.repeat(6000);
    for (let i = 0; i < 15; i++) {
      const text = JSON.stringify({ verification: { status: 'VERIFIED', reference: `full-${i}` }, billing_info: {}, pad });
      const reply = await postRaw(l.url, text, {
        'content-type': 'application/json',
        'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
        token: `full-${i}`,
      });
      expect(reply.status).toBe(200);
    }
    const shown = await l.waitForDeliveries(15);
    const stored = shown.filter((d) => d.stored === true).map((d) => d.reference);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(15);
    await l.waitForStderr(/error: cannot write to the store/);
    expect(l.stderr().match(/error: /g)).toHaveLength(1);
    // every delivery reported as stored is whole in the file
    expect(storedDeliveries(tinyDisk!).map((d) => d.reference)).toEqual(expect.arrayContaining(stored));
  });

  it('a disk that frees up again: recording resumes by itself, and says how many were answered unrecorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-full-again-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) throw new Error('could not mount a tmpfs');
    scope.defer(() => void spawnSync('umount', [dir]));
    // ballast that leaves room for a few deliveries only; deleting it is "the disk freed up"
    const ballast = join(dir, 'ballast');
    writeFileSync(ballast, Buffer.alloc(40 * 1024));
    const l = await scope.listen(['--public-key', KEY], { home: dir });
    const pad = 'x'.repeat(6000);
    const send = (i: number) => {
      const text = JSON.stringify({ verification: { status: 'VERIFIED', reference: `again-${i}` }, billing_info: {}, pad });
      return postRaw(l.url, text, {
        'content-type': 'application/json',
        'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
        token: `again-${i}`,
      });
    };
    for (let i = 0; i < 6; i++) expect((await send(i)).status).toBe(200);
    await l.waitForStderr(/error: cannot write to the store/);
    const before = await l.waitForDeliveries(6);
    const unrecorded = before.filter((d) => d.stored !== true).length;
    expect(unrecorded).toBeGreaterThan(0);
    rmSync(ballast);
    expect((await send(6)).status).toBe(200);
    const after = await l.waitForDeliveries(7);
    expect(after[6]).toMatchObject({ reference: 'again-6', stored: true });
    await l.waitForStderr(/recording resumed/);
    expect(l.stderr()).toMatch(new RegExp(`${unrecorded} deliver(y was|ies were) answered but not recorded`));
    // the delivery recorded after the failure is whole in the file, after the cut line was sealed
    expect(storedDeliveries(dir).map((d) => d.reference)).toContain('again-6');
  });
});

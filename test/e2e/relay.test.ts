import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { tempHome } from '../helpers/listen.js';
import { postRaw } from '../helpers/receiver.js';
import { expectEachOnce, startRelay, storedReferences, type RunningRelay } from '../helpers/relay.js';
import { testScope } from '../helpers/scope.js';
import { storedDeliveries } from '../helpers/store.js';

/** The relay and listen --relay, as users run them: built binaries, real SQLite files, real sockets. */

const KEY = 'test_pk_relay0e2e0key0abcdef';
const scope = testScope();

const signed = (text: string | Buffer, ref: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
  token: ref,
  ...extra,
});
const bodyOf = (ref: string, pad = '') =>
  JSON.stringify({ verification: { status: 'VERIFIED', reference: ref }, billing_info: {}, ...(pad ? { pad } : {}) });
const deliver = (channelUrl: string, ref: string, pad = '') => {
  const text = bodyOf(ref, pad);
  return postRaw(`${channelUrl}/hooks`, text, signed(text, ref));
};

async function relay(options: Parameters<typeof startRelay>[0] = {}): Promise<RunningRelay> {
  const r = await startRelay(options);
  scope.defer(() => r.stop('SIGKILL'));
  return r;
}

const relayArgs = (channel: { url: string; token: string }) => [
  '--public-key',
  KEY,
  '--relay',
  channel.url,
  '--relay-token',
  channel.token,
];

describe('idpass relay (built binary, real SQLite)', () => {
  it('keeps deliveries while nobody listens, then hands them over byte for byte, in order, then live; a forgery stays a forgery', async () => {
    const r = await relay();
    const channel = await r.channel('laptop');
    const photo = randomBytes(7 * 1024 * 1024).toString('base64');
    const big = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'big' }, data: { photo } });
    const gzip = gzipSync(Buffer.from(bodyOf('zipped')));
    const sent = [
      { ref: 'first', bytes: Buffer.from(bodyOf('first')), headers: signed(bodyOf('first'), 'first', { 'X-Odd-Case': 'a' }) },
      { ref: 'big', bytes: Buffer.from(big), headers: signed(big, 'big') },
      { ref: 'zipped', bytes: gzip, headers: signed(gzip, 'zipped', { 'content-encoding': 'gzip' }) },
      { ref: 'text', bytes: Buffer.from('not json at all \u001b[31m'), headers: { 'content-type': 'text/plain', token: 'text' } },
      { ref: 'forged', bytes: Buffer.from(bodyOf('forged')), headers: signed(bodyOf('something else'), 'forged') },
    ];
    for (const s of sent) expect((await postRaw(`${channel.url}/hooks?a=1&a=2`, s.bytes, s.headers)).status).toBe(200);

    const l = await scope.listen(relayArgs(channel));
    const shown = await l.waitForDeliveries(sent.length, 30_000);
    expect(shown.map((d) => (d.relayed as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(shown.map((d) => d.path)).toEqual(Array(5).fill('/hooks?a=1&a=2'));
    const sig = (i: number) => (shown[i]!.signature as { valid: boolean }).valid;
    expect([sig(0), sig(1), sig(2), sig(4)]).toEqual([true, true, true, false]);
    // the listener's store holds exactly the bytes and headers Prembly sent to the relay
    const stored = storedDeliveries(l.home);
    sent.forEach((s, i) => {
      expect(Buffer.from(stored[i]!.body, 'base64').equals(s.bytes)).toBe(true);
      expect(stored[i]!.relay.seq).toBe(i + 1);
    });
    expect(stored[0]!.headers).toContainEqual(['X-Odd-Case', 'a']);
    expect(l.lines.some((f) => f.type === 'relay-mode')).toBe(true);

    // live: a delivery after catching up comes straight through
    await deliver(channel.url, 'live-one');
    const after = await l.waitForDeliveries(6);
    expect((after[5]!.relayed as { seq: number }).seq).toBe(6);
  });

  it('kill -9 of the relay mid-burst: every delivery that got 200 is streamed after the restart, none twice', async () => {
    const home = tempHome();
    let r = await startRelay({ home });
    const channel = await r.channel();
    const answered: string[] = [];
    const burst = (async () => {
      for (let i = 0; i < 400; i++) {
        const ref = `burst-${i}`;
        const reply = await deliver(channel.url, ref).catch(() => null);
        if (reply?.status === 200) answered.push(ref);
        if (!reply && answered.length > 0) break;
      }
    })();
    while (answered.length < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    r.child.kill('SIGKILL');
    await burst;
    await r.exited;
    r = await startRelay({ home, port: r.port });
    scope.defer(() => r.stop('SIGKILL'));
    const l = await scope.listen(relayArgs(channel));
    await l.waitForDeliveries(answered.length, 30_000);
    await l.stop();
    expectEachOnce(l.home, answered);
  });

  it('kill -9 of listen mid-backfill: the restart resumes where the store stands, nothing missing, nothing twice', async () => {
    const r = await relay();
    const channel = await r.channel();
    const held = 600;
    for (let i = 0; i < held; i++) expect((await deliver(channel.url, `held-${i}`)).status).toBe(200);
    const home = tempHome();
    const first = await scope.listen(relayArgs(channel), { home });
    // killed at its first line: the store runs ahead of stdout, so a later kill can land after the whole backfill
    await first.waitForDeliveries(1, 30_000);
    await first.stop('SIGKILL');
    const before = storedReferences(home).length;
    expect(before).toBeLessThan(held);
    const second = await scope.listen(relayArgs(channel), { home });
    await second.waitForLine((l) => l.type === 'relay-state' && l.state === 'live', 30_000);
    await second.stop();
    const got = storedReferences(home);
    expect(got).toHaveLength(held);
    expect(new Set(got).size).toBe(held);
    expect(got).toEqual(Array.from({ length: held }, (_, i) => `held-${i}`));
  });

  it('a proxy that drops the stream mid-event: the client reconnects and resumes, nothing missing, nothing twice', async () => {
    const r = await relay();
    const channel = await r.channel();
    for (let i = 0; i < 5; i++) await deliver(channel.url, `cut-${i}`, 'p'.repeat(200_000));
    // the first connection through the proxy is cut after 300 kB (inside the second event); later ones pass
    let connections = 0;
    const proxy = createServer((client: Socket) => {
      const cutAfter = connections++ === 0 ? 300_000 : Infinity;
      const upstream = connect(r.port, '127.0.0.1');
      let passed = 0;
      upstream.on('data', (chunk: Buffer) => {
        passed += chunk.length;
        if (passed > cutAfter) {
          client.destroy();
          upstream.destroy();
        } else client.write(chunk);
      });
      client.on('data', (chunk) => upstream.write(chunk));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => proxy.close(resolve)));
    const port = (proxy.address() as { port: number }).port;
    const viaProxy = { url: channel.url.replace(`:${r.port}/`, `:${port}/`), token: channel.token };
    const l = await scope.listen(relayArgs(viaProxy));
    await l.waitForDeliveries(5, 30_000);
    expect(l.lines.some((f) => f.type === 'relay-state' && f.state === 'reconnecting')).toBe(true);
    await l.stop();
    expect(storedReferences(l.home)).toEqual(['cut-0', 'cut-1', 'cut-2', 'cut-3', 'cut-4']);
    expect(connections).toBeGreaterThan(1);
  });

  it('tokens: missing, wrong or another channel’s get 401 and nothing of the channel; an unknown channel is 404; listen with a bad token exits 2', async () => {
    const r = await relay();
    const a = await r.channel('a');
    const b = await r.channel('b');
    await deliver(a.url, 'secret-ref');
    const stream = (token?: string) =>
      fetch(`${r.url}/out/${a.id}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(3000) });
    for (const token of [undefined, 'rtc_wrong', b.token]) {
      const res = await stream(token);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/secret-ref|seq|"a"/);
    }
    expect((await deliver(`${r.url}/in/ch_${'0'.repeat(32)}`, 'x')).status).toBe(404);
    expect((await fetch(`${r.url}/admin/channels`)).status).toBe(401);
    const listed = await runCli(['relay', 'channel', 'list', '--relay', r.url, '--admin-token', r.adminToken, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(a.token);
    expect(listed.stdout).toContain(a.id);
    const refused = await runCli(['listen', '--port', '0', '--json', '--relay', a.url, '--relay-token', b.token], {
      env: { IDPASS_HOME: tempHome() },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the token/);
  });

  it('retention dropped what the cursor asked for: one gap, then the rest', async () => {
    const r = await relay({ args: ['--retain-size', '3kb'] });
    const channel = await r.channel();
    for (let i = 0; i < 10; i++) await deliver(channel.url, `kept-${i}`, 'r'.repeat(900));
    const l = await scope.listen(relayArgs(channel));
    const gap = await l.waitForLine((f) => f.type === 'relay-gap', 20_000);
    const shown = await l.waitForDeliveries(10 - Number(gap.to), 20_000);
    expect(gap.from).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // one gap, and nothing more than what was kept
    expect(l.lines.filter((f) => f.type === 'relay-gap')).toHaveLength(1);
    expect(l.lines.filter((f) => f.type === 'delivery')).toHaveLength(shown.length);
    expect(shown.map((d) => d.reference)).toEqual(Array.from({ length: shown.length }, (_, i) => `kept-${10 - shown.length + i}`));
    expect(l.stderr()).toMatch(/dropped by the relay's retention/);
  });

  it('a flood on one channel does not hold up another channel’s stream', async () => {
    const r = await relay();
    const busy = await r.channel('busy');
    const quiet = await r.channel('quiet');
    const l = await scope.listen(relayArgs(quiet));
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    let flooded = 0;
    let stop = false;
    const flood = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop && flooded < 4000) {
          await deliver(busy.url, `flood-${flooded}`);
          flooded++;
        }
      }),
    );
    while (flooded < 200) await new Promise((resolve) => setTimeout(resolve, 5));
    await deliver(quiet.url, 'quiet-one');
    const [d] = await l.waitForDeliveries(1, 20_000);
    const floodedWhenSeen = flooded;
    stop = true;
    await flood;
    expect(d!.reference).toBe('quiet-one');
    expect(floodedWhenSeen).toBeLessThan(4000);
  });

  it('trigger and sandbox --webhook-url deliver to a channel URL as to any URL; listen --relay verifies them', async () => {
    const r = await relay();
    const channel = await r.channel();
    const trigger = await runCli(['trigger', 'verification.completed', '--pending-first', '--to', channel.url, '--public-key', KEY]);
    expect(trigger.code, trigger.stderr).toBe(0);
    const home = tempHome();
    const ready = join(home, 'sandbox.ready');
    const sandbox = spawn(
      process.execPath,
      [BIN, 'sandbox', '--port', '0', '--ready-file', ready, '--webhook-url', channel.url, '--public-key', KEY],
      {
        env: { ...process.env, IDPASS_HOME: home },
        stdio: 'ignore',
      },
    );
    scope.defer(() => sandbox.kill('SIGKILL'));
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 50));
    const sandboxUrl = (JSON.parse(readFileSync(ready, 'utf8')) as { url: string }).url;
    const raised = await fetch(`${sandboxUrl}/__idpass/watchlist`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(raised.status).toBe(201);
    const l = await scope.listen(relayArgs(channel));
    const shown = await l.waitForDeliveries(3, 20_000);
    expect(shown.map((d) => d.event)).toEqual(['verification.pending', 'verification.retry.completed', 'watchlist.identity_flagged']);
    // the retry result and the watchlist event are signed with the live key, as Prembly signs them: verified with the built-in live key here
    expect(shown.map((d) => (d.signature as { valid: boolean; key: string }).key)).toEqual(['sandbox', 'live', 'live']);
  });

  it('channel create, list and delete from the CLI; a deleted channel is 404', async () => {
    const r = await relay();
    const created = await runCli(['relay', 'channel', 'create', '--relay', r.url, '--admin-token', r.adminToken, '--name', 'ci']);
    expect(created.code).toBe(0);
    const id = /channel (ch_[0-9a-f]{32})/.exec(created.stdout)![1]!;
    expect(created.stdout).toMatch(/webhook URL .*\/in\/ch_/);
    expect(created.stdout).toMatch(/token .*rtc_/);
    const wrong = await runCli(['relay', 'channel', 'list', '--relay', r.url, '--admin-token', 'nope-nope-nope']);
    expect(wrong.code).toBe(2);
    const deleted = await runCli(['relay', 'channel', 'delete', id, '--relay', r.url, '--admin-token', r.adminToken]);
    expect(deleted.code).toBe(0);
    expect((await deliver(`${r.url}/in/${id}`, 'gone')).status).toBe(404);
    const health = await fetch(`${r.url}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(/idpass_relay_errors_total 0/);
  });
});

// A full disk, for real: the relay's database on a 2 MB tmpfs. Needs root and mount, as on the CI machines.
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;

describe.runIf(canMount)('the relay on a full disk (2 MB tmpfs)', () => {
  let disk = '';
  beforeAll(() => {
    disk = mkdtempSync(join(tmpdir(), 'idpass-relay-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).status !== 0) throw new Error('could not mount a tmpfs');
  });
  afterAll(() => {
    if (disk) spawnSync('umount', [disk]);
  });

  it('answers 503 (never 200) for what it could not store, and stores again once space returns, without a restart', async () => {
    const r = await relay({ home: disk });
    const channel = await r.channel();
    writeFileSync(join(disk, 'filler'), Buffer.alloc(1200 * 1024));
    const statuses: [string, number][] = [];
    for (let i = 0; i < 40; i++) {
      const ref = `full-${i}`;
      statuses.push([ref, (await deliver(channel.url, ref, 'f'.repeat(60_000))).status]);
      if (statuses.filter(([, s]) => s === 503).length >= 3) break;
    }
    expect(statuses.some(([, s]) => s === 503)).toBe(true);
    expect(statuses.every(([, s]) => s === 200 || s === 503)).toBe(true);
    rmSync(join(disk, 'filler'));
    expect((await deliver(channel.url, 'after-space', 'f'.repeat(60_000))).status).toBe(200);
    const answered = [...statuses.filter(([, s]) => s === 200).map(([ref]) => ref), 'after-space'];
    const l = await scope.listen(relayArgs(channel));
    await l.waitForDeliveries(answered.length, 30_000);
    await l.stop();
    // every 200 was stored; nothing that got 503 was handed on as if it had been kept
    expect(storedReferences(l.home)).toEqual(answered);
    expect(r.stdout()).toMatch(/"type":"store-failed"/);
  });
});

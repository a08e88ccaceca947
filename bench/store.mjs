#!/usr/bin/env node
// The store at scale: a ~2 MB and a ~180 MB store built in this run, then `events list` (time and
// peak memory), `listen` time-to-ready and resident memory, the longest wait of any delivery while
// the store compacts, and listen's resident memory after 10k and 100k deliveries. Prints ratios
// against the small store; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { body, fmt, latencies, load, percentiles, root } from './lib.mjs';

const bin = join(root, 'bin/idpass.js');
const homes = [];
const encodedBody = Buffer.from(body).toString('base64');

/** A store of about `bytes`, written line by line as the listener writes them. */
function buildStore(bytes) {
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-store-'));
  homes.push(home);
  const fd = openSync(join(home, 'deliveries.ndjson'), 'w', 0o600);
  let written = 0;
  let t = Date.now() - 86_400_000;
  const lines = [];
  while (written < bytes) {
    const id = `${(t++).toString(36).padStart(9, '0')}-bench${String(written % 10000).padStart(4, '0')}`;
    const delivery = {
      kind: 'delivery',
      v: 1,
      id,
      receivedAt: new Date(t).toISOString(),
      method: 'POST',
      path: '/webhook',
      headers: [
        ['content-type', 'application/json'],
        ['token', randomUUID()],
      ],
      body: encodedBody,
      size: body.length,
      tooLarge: false,
      event: 'verification.completed',
      identityStatus: 'VERIFIED',
      reference: randomUUID(),
      verification: {
        valid: true,
        reason: 'valid',
        scheme: 'prembly-hmac',
        message: 'ok',
        weak: false,
        token: randomUUID(),
        key: 'sandbox',
      },
      duplicate: false,
      jsonError: null,
      ignored: false,
      forwardTo: null,
    };
    const line = JSON.stringify(delivery) + '\n';
    lines.push(line);
    written += line.length;
    if (lines.length >= 1000) writeSync(fd, lines.splice(0).join(''));
  }
  writeSync(fd, lines.join(''));
  closeSync(fd);
  return home;
}

/** Wall time and peak resident memory of one CLI run, from /usr/bin/time. */
function timed(args, env) {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, bin, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  const [seconds, kb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: seconds * 1000, mb: kb / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Starts `listen --json` on a store and resolves when it is ready, with the time it took. */
function startListen(home, extra = []) {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', '--no-tunnel', '--json', ...extra], {
    env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: home },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ child, url: JSON.parse(text.slice(0, newline)).url, readyMs: performance.now() - started });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`listen exited ${code}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGINT');
  });

try {
  const small = buildStore(2 * 1024 * 1024);
  const large = buildStore(180 * 1024 * 1024);
  const size = (home) => (statSync(join(home, 'deliveries.ndjson')).size / 1024 / 1024).toFixed(0);
  console.log(`store at scale (node ${process.version}): small ${size(small)} MB, large ${size(large)} MB`);

  const list = (home) => {
    const runs = Array.from({ length: 5 }, () => timed(['events', 'list'], { IDPASS_HOME: home }));
    return { ms: median(runs.map((r) => r.ms)), mb: Math.max(...runs.map((r) => r.mb)) };
  };
  const [ls, ll] = [list(small), list(large)];
  console.log(
    `  events list      small ${ls.ms.toFixed(0)} ms ${ls.mb.toFixed(0)} MB peak · large ${ll.ms.toFixed(0)} ms ${ll.mb.toFixed(0)} MB peak · time ratio ${fmt(ll.ms / ls.ms)} (goal ≤ 1.30)`,
  );

  const ready = async (home) => {
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const { child, readyMs } = await startListen(home);
      runs.push({ ms: readyMs, mb: rssMb(child.pid) });
      await stop(child);
    }
    return { ms: median(runs.map((r) => r.ms)), mb: Math.max(...runs.map((r) => r.mb)) };
  };
  const [rs, rl] = [await ready(small), await ready(large)];
  console.log(
    `  listen ready     small ${rs.ms.toFixed(0)} ms ${rs.mb.toFixed(0)} MB RSS · large ${rl.ms.toFixed(0)} ms ${rl.mb.toFixed(0)} MB RSS · time ratio ${fmt(rl.ms / rs.ms)} (goal ≤ 1.30, RSS < 120 MB)`,
  );

  // compaction: a cap just above the large store, then one delivery at a time through it
  const capBytes = statSync(join(large, 'deliveries.ndjson')).size + 256 * 1024;
  const { child, url } = await startListen(large, ['--public-key', 'test_pk_bench0key0abcdefgh', '--store-max', `${capBytes}b`]);
  const before = await latencies(url, 300);
  const file = join(large, 'deliveries.ndjson');
  const through = [];
  // one delivery at a time until the store has shrunk (the compaction ran and finished), then a few more
  let shrunkAt = -1;
  while (through.length < 40_000 && (shrunkAt < 0 || through.length < shrunkAt + 500)) {
    through.push(...(await latencies(url, 100)));
    if (shrunkAt < 0 && statSync(file).size < capBytes * 0.75) shrunkAt = through.length;
  }
  const during = percentiles(through);
  const maxOf = (values) => values.reduce((a, b) => Math.max(a, b), 0);
  console.log(
    `  compaction       ${shrunkAt >= 0 ? `ran (${shrunkAt} deliveries in)` : 'did NOT run'}; waits p50 ${during.p50.toFixed(2)} ms, max ${maxOf(through).toFixed(1)} ms (before it: max ${maxOf(before).toFixed(1)} ms) (goal max < 100 ms)`,
  );
  await stop(child);

  // resident memory under a long run: after 10k and after 100k deliveries
  const fresh = mkdtempSync(join(tmpdir(), 'idpass-bench-store-'));
  homes.push(fresh);
  const long = await startListen(fresh, ['--public-key', 'test_pk_bench0key0abcdefgh']);
  let sent = 0;
  const sendUntil = async (target) => {
    while (sent < target) {
      const result = await load(long.url, 20, 1);
      sent += result.requests.total;
    }
  };
  await sendUntil(10_000);
  const at10k = rssMb(long.child.pid);
  await sendUntil(100_000);
  const at100k = rssMb(long.child.pid);
  console.log(
    `  listen RSS       after ${10_000} deliveries ${at10k.toFixed(0)} MB, after ${sent} ${at100k.toFixed(0)} MB (goal: within 20 MB)`,
  );
  await stop(long.child);
} finally {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}

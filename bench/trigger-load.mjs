#!/usr/bin/env node
// Deliveries per second from `idpass trigger --count` against autocannon sending one fixed signed
// body, both to the same bare receiver (200 only), with the same number of connections, in this run.
// trigger does more per delivery (a fresh body, reference, token and HMAC each time, and Prembly's
// verdict on every answer); the ratio says what that costs. Prints figures and asserts nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { load, root, startBare, stopProcesses } from './lib.mjs';

const connections = Number(process.env.CONNECTIONS ?? 50);
const count = Number(process.env.COUNT ?? 20000);
const rounds = Number(process.env.ROUNDS ?? 5);

function triggerRun(url) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'bin/idpass.js'),
      'trigger',
      'verification.completed',
      '--count',
      String(count),
      '--concurrency',
      String(connections),
      '--to',
      `${url}/webhook`,
      '--json',
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  if (run.status !== 0) throw new Error(`trigger --count exited ${run.status}: ${run.stderr}`);
  const { summary } = JSON.parse(run.stdout.trim().split('\n').at(-1));
  return { rate: summary.perSecond, wall: performance.now() - started, summary };
}

try {
  const bare = await startBare();
  await load(bare, 10, 1); // warm the receiver
  console.log(`trigger --count ${count} vs autocannon, ${connections} connections, ${rounds} interleaved rounds (node ${process.version})`);
  const ratios = [];
  for (let round = 1; round <= rounds; round++) {
    // autocannon for about as long as trigger takes, so both see the same receiver state
    const t = triggerRun(bare);
    const seconds = Math.max(2, Math.round(t.summary.ms / 1000));
    const a = await load(bare, connections, seconds);
    const ratio = t.rate / a.requests.average;
    ratios.push(ratio);
    console.log(
      `  round ${round}: trigger ${t.rate.toFixed(0).padStart(6)} deliveries/s (p50 ${t.summary.latency.p50.toFixed(1)} ms, ${t.summary.unexpected} unexpected)` +
        `   autocannon ${a.requests.average.toFixed(0).padStart(6)} req/s (${seconds}s)   ratio ${ratio.toFixed(2)}`,
    );
  }
  ratios.sort((x, y) => x - y);
  console.log(`  median ratio trigger / autocannon ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}   (goal ≥ 0.70)`);
} finally {
  stopProcesses();
}

// How long small deliveries wait while 6.6 MB bodies of 400,000 keys arrive: listen --json against a
// bare node server that parses each body inline (the baseline: what a listener that parses on its
// own thread costs). Prints the worst and p95 answer times of the small deliveries and the ratios.
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, key, lineFrom, root, startProcess, stopProcesses } from './lib.mjs';

const keys = {};
for (let i = 0; i < 400_000; i++) keys[`k${i}`] = i;
const large = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'large' }, billing_info: {}, data: keys });
const small = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'small' }, billing_info: {} });

function post(port, body) {
  const started = performance.now();
  const signature = createHmac('sha256', key).update(body).digest('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhook',
        headers: { 'content-type': 'application/json', 'x-prembly-signature': signature, token: randomUUID() },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - started));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Small deliveries one after another for 2 s while a large one is in flight, three rounds. */
async function measure(port) {
  const times = [];
  for (let round = 0; round < 3; round++) {
    const big = post(port, large);
    const until = performance.now() + 2_000;
    while (performance.now() < until) times.push(await post(port, small));
    await big;
  }
  times.sort((a, b) => a - b);
  return { worst: times.at(-1), p95: times[Math.floor(times.length * 0.95)] };
}

try {
  const bare = startProcess([join(root, 'bench/bare-parse-server.mjs')]);
  const baseline = await measure(Number((await lineFrom(bare)).trim()));
  const listen = startProcess([join(root, 'bin/idpass.js'), 'listen', '--no-tunnel', '--json', '--port', '0', '--public-key', key], {
    IDPASS_HOME: mkdtempSync(join(tmpdir(), 'idpass-bench-large-')),
  });
  const ready = JSON.parse(await lineFrom(listen, (line) => line.includes('"ready"')));
  const idpass = await measure(ready.port);
  console.log(`small-delivery answer times while 6.6 MB / 400,000-key bodies arrive (ms)`);
  console.log(`  bare node, parsing inline: worst ${fmt(baseline.worst)}, p95 ${fmt(baseline.p95)}`);
  console.log(`  idpass listen --json:      worst ${fmt(idpass.worst)}, p95 ${fmt(idpass.p95)}`);
  console.log(
    `  ratio (idpass / bare): worst ${fmt(idpass.worst / baseline.worst)} (goal: below 1), p95 ${fmt(idpass.p95 / baseline.p95)} (each small one is verified, recorded and printed too)`,
  );
} finally {
  stopProcesses();
}

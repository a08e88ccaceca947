/* global fetch, AbortController */
// The relay measured against peers in one run (npm run bench:relay):
// - ingest: deliveries/s into `idpass relay serve` against a bare express app committing the same row
//   to SQLite before its 200 (2 KB signed bodies, 32 connections, alternating rounds);
// - backfill: 10,000 held deliveries into `listen --relay` (store on, NDJSON to a file) against the
//   same 10,000 POSTed straight to `listen`;
// - live: p50 from a POST at the relay to the delivery's NDJSON line of `listen --relay`, minus the
//   same for a POST straight to `listen`;
// - memory: the relay's RSS across 50,000 deliveries with 5 clients streaming, and its peak while a
//   10 MB delivery goes to those 5 clients.
import { spawn } from 'node:child_process';
import { randomUUID, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fmt, key, lineFrom, median, root, startListenerToFile, startProcess, stopProcesses } from './lib.mjs';

const pad = 'x'.repeat(1700);
const bodyFor = (ref) => JSON.stringify({ verification: { status: 'VERIFIED', reference: ref }, billing_info: {}, pad });
const sign = (text) => createHmac('sha256', key).update(text).digest('base64');
const body2k = bodyFor('bench');
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const hwm = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRelay(home) {
  const ready = join(home, 'relay.ready');
  const child = spawn(
    process.execPath,
    [join(root, 'bin/idpass.js'), 'relay', 'serve', '--port', '0', '--admin-token', 'bench-admin-token-0123456789', '--ready-file', ready],
    {
      cwd: root,
      env: { ...process.env, IDPASS_HOME: home },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  while (!existsSync(ready)) await sleep(20);
  await sleep(50);
  const url = JSON.parse(readFileSync(ready, 'utf8')).url;
  const channel = await (
    await fetch(`${url}/admin/channels`, { method: 'POST', headers: { authorization: 'Bearer bench-admin-token-0123456789' } })
  ).json();
  return { child, url, channel };
}

function cannon(url, connections, opts) {
  return autocannon({
    url,
    method: 'POST',
    connections,
    ...opts,
    headers: { 'content-type': 'application/json', 'x-prembly-signature': sign(body2k) },
    body: body2k,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, token: randomUUID() } }) }],
  });
}

async function ingest() {
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-relay-'));
  const relay = await startRelay(home);
  const bare = startProcess([join(root, 'bench/bare-relay-server.mjs'), home]);
  const barePort = (await lineFrom(bare)).trim();
  const targets = { relay: `${relay.channel.url}/webhook`, bare: `http://127.0.0.1:${barePort}/in/${relay.channel.id}/webhook` };
  const rates = { relay: [], bare: [] };
  for (const name of ['relay', 'bare']) await cannon(targets[name], 32, { duration: 1 });
  for (let round = 0; round < 4; round++) {
    for (const name of round % 2 ? ['bare', 'relay'] : ['relay', 'bare']) {
      const r = await cannon(targets[name], 32, { duration: 3 });
      rates[name].push(r.requests.average);
      if (r.non2xx || r.errors) console.log(`  ${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
  }
  const relayRate = median(rates.relay);
  const bareRate = median(rates.bare);
  console.log(
    `ingest (2 KB, 32 connections): relay ${relayRate.toFixed(0)}/s, bare express + SQLite ${bareRate.toFixed(0)}/s, ratio ${fmt(relayRate / bareRate)} (goal ≥ 0.90)`,
  );
  relay.child.kill();
  bare.kill();
}

async function countDeliveries(file, count) {
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    let n = 0;
    for (let at = text.indexOf('"type":"delivery"'); at >= 0; at = text.indexOf('"type":"delivery"', at + 1)) n++;
    if (n >= count) return;
    await sleep(25);
  }
}

async function backfill() {
  const N = 10_000;
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-relay-'));
  const relay = await startRelay(home);
  await cannon(`${relay.channel.url}/webhook`, 16, { amount: N });
  const viaRelayHome = mkdtempSync(join(tmpdir(), 'idpass-bench-relay-listen-'));
  const started = performance.now();
  const viaRelay = await startListenerToFile(viaRelayHome, ['--relay', relay.channel.url, '--relay-token', relay.channel.token]);
  await countDeliveries(join(viaRelayHome, 'deliveries.ndjson'), N);
  const relayMs = performance.now() - started;
  viaRelay.child.kill();
  const directHome = mkdtempSync(join(tmpdir(), 'idpass-bench-direct-'));
  const directStart = performance.now();
  const direct = await startListenerToFile(directHome);
  await cannon(`${direct.url}/webhook`, 16, { amount: N });
  await countDeliveries(join(directHome, 'deliveries.ndjson'), N);
  const directMs = performance.now() - directStart;
  direct.child.kill();
  relay.child.kill();
  console.log(
    `backfill of ${N}: listen --relay ${(N / (relayMs / 1000)).toFixed(0)}/s (${relayMs.toFixed(0)} ms from start), POSTed straight to listen ${(N / (directMs / 1000)).toFixed(0)}/s, ratio ${fmt(directMs / relayMs)} (goal ≥ 0.50)`,
  );
}

/** Sends one delivery and resolves once its NDJSON line appears on the listener's stdout. */
function timedDelivery(url, child, ref) {
  const text = bodyFor(ref);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const onData = (chunk) => {
      if (String(chunk).includes(ref)) {
        child.stdout.off('data', onData);
        resolve(performance.now() - started);
      }
    };
    child.stdout.on('data', onData);
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-prembly-signature': sign(text), token: randomUUID() } },
      (res) => res.resume(),
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function live() {
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-relay-'));
  const relay = await startRelay(home);
  const start = (extra) =>
    new Promise((resolve) => {
      const child = startProcess([join(root, 'bin/idpass.js'), 'listen', '--port', '0', '--json', '--public-key', key, ...extra], {
        IDPASS_HOME: mkdtempSync(join(tmpdir(), 'idpass-bench-live-')),
      });
      child.stdout.setEncoding('utf8');
      let text = '';
      const onData = (chunk) => {
        text += chunk;
        const ready = text.split('\n').find((l) => l.includes('"type":"ready"'));
        if (ready && (!extra.length || text.includes('"state":"live"'))) {
          child.stdout.off('data', onData);
          resolve({ child, url: JSON.parse(ready).url });
        }
      };
      child.stdout.on('data', onData);
    });
  const viaRelay = await start(['--relay', relay.channel.url, '--relay-token', relay.channel.token]);
  const direct = await start([]);
  const times = { relay: [], direct: [] };
  for (let i = 0; i < 400; i++) {
    times.relay.push(await timedDelivery(`${relay.channel.url}/webhook`, viaRelay.child, `live-r-${i}`));
    times.direct.push(await timedDelivery(`${direct.url}/webhook`, direct.child, `live-d-${i}`));
  }
  const [r, d] = [median(times.relay.slice(50)), median(times.direct.slice(50))];
  console.log(
    `live: p50 POST → NDJSON line via the relay ${fmt(r)} ms, straight to listen ${fmt(d)} ms, the relay adds ${fmt(r - d)} ms (goal ≤ 5)`,
  );
  viaRelay.child.kill();
  direct.child.kill();
  relay.child.kill();
}

async function memory() {
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-relay-'));
  const relay = await startRelay(home);
  const clients = [];
  // five clients reading the stream as fast as it comes (raw SSE readers)
  for (let i = 0; i < 5; i++) {
    const controller = new AbortController();
    const res = await fetch(`${relay.url}/out/${relay.channel.id}`, {
      headers: { authorization: `Bearer ${relay.channel.token}` },
      signal: controller.signal,
    });
    void (async () => {
      try {
        for await (const _ of res.body) void _;
      } catch {
        // aborted at the end
      }
    })();
    clients.push(controller);
  }
  const marks = [];
  for (let batch = 0; batch < 5; batch++) {
    await cannon(`${relay.channel.url}/webhook`, 16, { amount: 10_000 });
    marks.push(rss(relay.child.pid));
  }
  console.log(
    `memory: relay RSS after 10k…50k deliveries with 5 clients: ${marks.map((m) => m.toFixed(0)).join(' / ')} MB, ${(Math.max(...marks) - Math.min(...marks)).toFixed(0)} MB apart (goal ≤ 30)`,
  );
  await sleep(500);
  // the peak from here on: writing 5 to clear_refs resets VmHWM (Linux), so the earlier load does not count
  try {
    writeFileSync(`/proc/${relay.child.pid}/clear_refs`, '5');
  } catch {
    console.log('  (cannot reset the peak RSS here: the 10 MB figure includes the load before it)');
  }
  const before = rss(relay.child.pid);
  const photo = JSON.stringify({
    verification: { status: 'VERIFIED', reference: 'big' },
    data: { photo: 'A'.repeat(10 * 1024 * 1024 - 100) },
  });
  await fetch(`${relay.channel.url}/webhook`, { method: 'POST', body: photo, headers: { 'content-type': 'application/json' } });
  await sleep(1500);
  const peak = hwm(relay.child.pid);
  console.log(
    `memory: one 10 MB delivery to 5 clients: RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (${((peak - before) / 10).toFixed(1)}× the body, taking it in included; the streams share one read of the row and write its base64 in 192 kB pieces)`,
  );
  for (const c of clients) c.abort();
  relay.child.kill();
}

try {
  console.log(`bench:relay on Node ${process.versions.node}`);
  await ingest();
  await backfill();
  await live();
  await memory();
} finally {
  stopProcesses();
}

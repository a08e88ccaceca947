/* global fetch */
// The relay at team scale on a real PostgreSQL (a throwaway cluster), in one run (npm run bench:relay-team):
// - ingest: two relays on one database, 64 connections (32 each), 2 KB bodies, against a bare express
//   committing the same row into the same PostgreSQL before its 200;
// - fan-out: from a POST at relay A to the event on a stream held by relay B, p50;
// - sustained: 100 deliveries/s of 200 KB for BENCH_SECONDS (60) into both relays with 20 filtered
//   clients connected: nothing lost, p99 ingest latency, each relay's RSS at the start and the end.
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startCluster } from '../test/helpers/pg-cluster.mjs';
import { fmt, key, lineFrom, median, percentiles, root, startProcess, stopProcesses } from './lib.mjs';

const ADMIN = 'bench-admin-token-0123456789';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const bodyFor = (ref, pad) => JSON.stringify({ verification: { status: 'VERIFIED', reference: ref }, billing_info: {}, pad });

async function startRelay(db) {
  const home = mkdtempSync(join(tmpdir(), 'idpass-bench-team-'));
  const ready = join(home, 'ready.json');
  const child = spawn(
    process.execPath,
    [join(root, 'bin/idpass.js'), 'relay', 'serve', '--port', '0', '--db', db, '--admin-token', ADMIN, '--ready-file', ready],
    {
      cwd: root,
      env: { ...process.env, IDPASS_HOME: home },
      stdio: 'ignore',
    },
  );
  while (!existsSync(ready)) await sleep(20);
  await sleep(50);
  return { child, url: JSON.parse(readFileSync(ready, 'utf8')).url };
}

const cannon = (url, connections, duration, body) =>
  autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', 'x-prembly-signature': createHmac('sha256', key).update(body).digest('base64') },
    body,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, token: randomUUID() } }) }],
  });

function post(url, body) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/** A raw SSE reader on a stream: calls `onEvent` with each delivery's seq as it arrives. */
async function reader(url, token, onEvent, query = '') {
  const res = await fetch(`${url}${query}`, { headers: { authorization: `Bearer ${token}` } });
  void (async () => {
    let text = '';
    for await (const chunk of res.body) {
      text += Buffer.from(chunk).toString('latin1');
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const id = /\nid: (\d+)/.exec(event);
        if (event.startsWith('event: delivery') && id) onEvent(Number(id[1]));
      }
    }
  })().catch(() => undefined);
}

const cluster = await startCluster();
try {
  console.log(`bench:relay-team on Node ${process.versions.node}`);
  const db = await cluster.database();
  const [a, b] = await Promise.all([startRelay(db), startRelay(db)]);
  const channel = await (await fetch(`${a.url}/admin/channels`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).json();
  const bare = startProcess([join(root, 'bench/bare-pg-server.mjs'), await cluster.database()]);
  const barePort = (await lineFrom(bare)).trim();
  const small = bodyFor('ingest', 'x'.repeat(1700));
  const rates = { relays: [], bare: [] };
  for (let round = 0; round < 3; round++) {
    const [ra, rb] = await Promise.all([
      cannon(`${a.url}/in/${channel.id}/w`, 32, 3, small),
      cannon(`${b.url}/in/${channel.id}/w`, 32, 3, small),
    ]);
    rates.relays.push(ra.requests.average + rb.requests.average);
    rates.bare.push((await cannon(`http://127.0.0.1:${barePort}/in/bench/w`, 64, 3, small)).requests.average);
  }
  const [relayRate, bareRate] = [median(rates.relays), median(rates.bare)];
  console.log(
    `ingest (2 relays, 64 connections, 2 KB): ${relayRate.toFixed(0)}/s, bare express + PostgreSQL ${bareRate.toFixed(0)}/s, ratio ${fmt(relayRate / bareRate)} (goal ≥ 0.80)`,
  );
  bare.kill();

  // fan-out: stored through A, heard on a stream held by B
  const fan = await (await fetch(`${a.url}/admin/channels`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).json();
  const arrived = new Map();
  await reader(`${b.url}/out/${fan.id}`, fan.token, (seq) => arrived.set(seq, performance.now()));
  await sleep(300);
  const delays = [];
  for (let i = 1; i <= 200; i++) {
    const started = performance.now();
    await post(`${a.url}/in/${fan.id}/w`, bodyFor(`fan-${i}`, ''));
    while (!arrived.has(i)) await sleep(0.5);
    delays.push(arrived.get(i) - started);
  }
  console.log(
    `fan-out: POST at relay A → event on relay B's stream, p50 ${fmt(median(delays))} ms, p99 ${fmt(percentiles(delays).p99)} ms (goal p50 ≤ 20)`,
  );

  // sustained: 100/s of 200 KB into both relays, 20 filtered clients on them
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const team = await (await fetch(`${a.url}/admin/channels`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).json();
  let streamed = 0;
  for (let i = 0; i < 20; i++) {
    const relay = i % 2 ? b : a;
    await reader(
      `${relay.url}/out/${team.id}`,
      team.token,
      () => streamed++,
      `?filter=${encodeURIComponent(`verification.reference^=dev-${i % 10}-`)}`,
    );
  }
  await sleep(500);
  const start = { a: rss(a.child.pid), b: rss(b.child.pid) };
  const latencies = [];
  let ok = 0;
  let sent = 0;
  const pad = 'p'.repeat(200 * 1024);
  const began = performance.now();
  const inFlight = new Set();
  while (performance.now() - began < seconds * 1000) {
    const due = Math.floor(((performance.now() - began) / 1000) * 100);
    while (sent < due) {
      const n = sent++;
      const relay = n % 2 ? b : a;
      const p = post(`${relay.url}/in/${team.id}/w`, bodyFor(`dev-${n % 10}-${n}`, pad)).then((r) => {
        latencies.push(r.ms);
        if (r.status === 200) ok++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  await sleep(2000);
  const end = { a: rss(a.child.pid), b: rss(b.child.pid) };
  const stored = (await (await fetch(`${a.url}/admin/channels`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()).channels.find(
    (c) => c.id === team.id,
  );
  console.log(
    `sustained ${seconds} s at 100/s of 200 KB, 20 filtered clients: ${ok} of ${sent} answered 200, ${stored.lastSeq} stored, ${streamed} streamed (each delivery to its 2 clients: ${2 * stored.lastSeq} expected); p99 ingest ${fmt(percentiles(latencies).p99)} ms (goal ≤ 100); RSS A ${start.a.toFixed(0)} → ${end.a.toFixed(0)} MB, B ${start.b.toFixed(0)} → ${end.b.toFixed(0)} MB (goal: flat within 50)`,
  );
  a.child.kill();
  b.child.kill();
} finally {
  stopProcesses();
  cluster.stop();
}

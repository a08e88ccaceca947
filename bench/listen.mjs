#!/usr/bin/env node
// Deliveries per second through `idpass listen` (verify + classify + store) against a bare express
// server answering 200, and the latency forwarding adds over calling the same app directly. Every
// number is measured in this run; the script prints ratios and asserts nothing.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.SECONDS_EACH ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 50);
const key = 'test_pk_bench0key0abcdefgh';
const body = readFileSync(join(root, 'fixtures/events/verification.completed.json'), 'utf8');
const signature = createHmac('sha256', key).update(body).digest('base64');
const children = [];

function startProcess(args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ["ignore", "pipe", "ignore"] });
  children.push(child);
  return child;
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', function onData(chunk) {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(text.slice(0, newline));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
  });
}

async function startBare() {
  const child = startProcess([join(root, 'bench/bare-server.mjs')]);
  return `http://127.0.0.1:${(await firstLine(child)).trim()}`;
}

async function startListener(home, extra = []) {
  const child = startProcess([join(root, 'bin/idpass.js'), 'listen', '--port', '0', '--json', '--public-key', key, ...extra], { IDPASS_HOME: home });
  return JSON.parse(await firstLine(child)).url;
}

function load(url, conns, duration) {
  return autocannon({
    url: `${url}/webhook`,
    method: 'POST',
    connections: conns,
    duration,
    headers: { 'content-type': 'application/json', 'x-prembly-signature': signature },
    body,
    // a fresh token per request, as Identitypass sends, so nothing is flagged as a replay
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, token: randomUUID() } }) }],
  });
}

const fmt = (n) => n.toFixed(2);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** Sequential signed POSTs; returns each round trip in milliseconds. */
async function latencies(url, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-prembly-signature': signature, token: randomUUID(), 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}
const home = mkdtempSync(join(tmpdir(), 'idpass-bench-'));
try {
  const bare = await startBare();
  const listener = await startListener(join(home, 'throughput'));
  await load(bare, 10, 1);
  await load(listener, 10, 1); // warm both

  const bareRun = await load(bare, connections, seconds);
  const listenRun = await load(listener, connections, seconds);
  const bareRate = bareRun.requests.average;
  const listenRate = listenRun.requests.average;
  console.log(`throughput, ${connections} connections, ${seconds}s each (node ${process.version})`);
  console.log(`  bare express (200 only)            ${bareRate.toFixed(0).padStart(7)} req/s   errors ${bareRun.errors + bareRun.non2xx}`);
  console.log(`  idpass listen (verify+classify+store) ${listenRate.toFixed(0).padStart(7)} deliveries/s   errors ${listenRun.errors + listenRun.non2xx}`);
  console.log(`  ratio listen / bare                ${fmt(listenRate / bareRate)}   (goal ≥ 0.60)`);

  const app = await startBare();
  const forwarding = await startListener(join(home, 'forward'), ['--forward-to', `${app}/webhook`, '--no-store']);
  const direct = await latencies(`${app}/webhook`, 300);
  await latencies(`${forwarding}/webhook`, 300);
  const rounds = Number(process.env.LATENCY_ROUNDS ?? 3000);
  // interleaved, so that noise on this shared machine lands on both alike
  const directMs = [];
  const viaMs = [];
  for (let i = 0; i < rounds / 100; i++) {
    directMs.push(...(await latencies(`${app}/webhook`, 100)));
    viaMs.push(...(await latencies(`${forwarding}/webhook`, 100)));
  }
  void direct;
  const d = percentiles(directMs);
  const v = percentiles(viaMs);
  console.log(`forwarding latency, one request at a time, ${rounds} each, keep-alive`);
  console.log(`  direct to app         p50 ${fmt(d.p50)} ms   p99 ${fmt(d.p99)} ms`);
  console.log(`  through idpass listen p50 ${fmt(v.p50)} ms   p99 ${fmt(v.p99)} ms   (verify + classify + forward, no store)`);
  console.log(`  added by forwarding   p50 ${fmt(v.p50 - d.p50)} ms   p99 ${fmt(v.p99 - d.p99)} ms   (goal p50 < 1 ms)`);
} finally {
  agent.destroy();
  for (const child of children) child.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}

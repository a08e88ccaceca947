#!/usr/bin/env node
// Deliveries per second through `idpass listen` (verify + classify + store) against a bare express
// server answering 200, and the latency forwarding adds over calling the same app directly. Every
// number is measured in this run; the script prints ratios and asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeAgent,
  fmt,
  interleavedLatencies,
  lineFrom,
  load,
  root,
  startBare,
  startListener,
  startProcess,
  stopProcesses,
} from './lib.mjs';

const seconds = Number(process.env.SECONDS_EACH ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 50);
const rounds = Number(process.env.LATENCY_ROUNDS ?? 3000);
const home = mkdtempSync(join(tmpdir(), 'idpass-bench-'));
try {
  const bare = await startBare();
  const { url: listener } = await startListener(join(home, 'throughput'), ['--no-tunnel']);
  await load(bare, 10, 1);
  await load(listener, 10, 1); // warm both

  const appendChild = startProcess([join(root, 'bench/bare-append-server.mjs'), join(home, 'append.log')]);
  const append = `http://127.0.0.1:${(await lineFrom(appendChild)).trim()}`;
  await load(append, 10, 1);

  // interleaved, so machine noise hits all three alike
  const bareRun = await load(bare, connections, seconds);
  const appendRun = await load(append, connections, seconds);
  const listenRun = await load(listener, connections, seconds);
  const bareRate = bareRun.requests.average;
  const appendRate = appendRun.requests.average;
  const listenRate = listenRun.requests.average;
  const errors = (run) => run.errors + run.non2xx;
  console.log(`throughput, ${connections} connections, ${seconds}s each (node ${process.version})`);
  console.log(`  bare express (200 only)                 ${bareRate.toFixed(0).padStart(7)} req/s          errors ${errors(bareRun)}`);
  console.log(`  express appending each body, then 200   ${appendRate.toFixed(0).padStart(7)} req/s          errors ${errors(appendRun)}`);
  console.log(`  idpass listen (verify+classify+store)   ${listenRate.toFixed(0).padStart(7)} deliveries/s   errors ${errors(listenRun)}`);
  console.log(`  ratio listen / bare                     ${fmt(listenRate / bareRate)}   (goal ≥ 0.80)`);
  console.log(
    `  ratio listen / append baseline          ${fmt(listenRate / appendRate)}   (goal ≥ 0.90 where 0.80 of bare is beyond record-before-answer)`,
  );

  const app = await startBare();
  const { url: forwarding } = await startListener(join(home, 'forward'), ['--no-tunnel', '--forward-to', `${app}/webhook`, '--no-store']);
  const proxyChild = startProcess([join(root, 'bench/bare-proxy.mjs'), `${app}/webhook`]);
  const proxy = `http://127.0.0.1:${(await lineFrom(proxyChild)).trim()}`;
  const [d, v] = await interleavedLatencies({ url: app }, { url: forwarding }, rounds);
  const [d2, p] = await interleavedLatencies({ url: app }, { url: proxy }, rounds);
  console.log(`forwarding latency, one request at a time, ${rounds} each, keep-alive`);
  console.log(`  direct to app           p50 ${fmt(d.p50)} ms   p99 ${fmt(d.p99)} ms`);
  console.log(
    `  through idpass listen   p50 ${fmt(v.p50)} ms   p99 ${fmt(v.p99)} ms   (verify + classify + forward + NDJSON line, no store)`,
  );
  console.log(`  through a bare proxy    p50 ${fmt(p.p50)} ms   p99 ${fmt(p.p99)} ms   (express.raw + http forward, nothing else)`);
  console.log(`  added by idpass         p50 ${fmt(v.p50 - d.p50)} ms   p99 ${fmt(v.p99 - d.p99)} ms`);
  console.log(
    `  added by the bare hop   p50 ${fmt(p.p50 - d2.p50)} ms   p99 ${fmt(p.p99 - d2.p99)} ms   (what any forwarding costs on this machine)`,
  );
  console.log(`  idpass beyond the hop   p50 ${fmt(v.p50 - d.p50 - (p.p50 - d2.p50))} ms   (goal ≤ 0.15 ms)`);
} finally {
  closeAgent();
  stopProcesses();
  rmSync(home, { recursive: true, force: true });
}

#!/usr/bin/env node
// Deliveries per second through `idpass listen` (verify + classify + store + NDJSON) against two
// baselines — bare express answering 200, and express appending each body to a file before answering
// (the least any record-before-answer listener pays) — and the latency forwarding adds over a bare
// proxy hop. Every number is measured in this run; the script prints ratios and asserts nothing.
//
// This VM's speed drifts by 2x within a minute, so the servers take turns: short rounds, one after
// the other, and the ratios are the median of each round's ratio. CPU time per request (from /proc)
// is printed too: it is the steadiest figure of what each server costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeAgent,
  cpuMs,
  fmt,
  latencies,
  lineFrom,
  load,
  median,
  percentiles,
  root,
  startProcess,
  startListenerToFile,
  stopProcesses,
} from './lib.mjs';

const seconds = Number(process.env.SECONDS_EACH ?? 3);
const rounds = Number(process.env.ROUNDS ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 50);
const latencyRounds = Number(process.env.LATENCY_ROUNDS ?? 3000);
const home = mkdtempSync(join(tmpdir(), 'idpass-bench-'));

async function serve(script, ...args) {
  const child = startProcess([join(root, script), ...args]);
  return { child, url: `http://127.0.0.1:${(await lineFrom(child)).trim()}` };
}

try {
  const servers = [
    { name: 'bare express (200 only)', ...(await serve('bench/bare-server.mjs')) },
    { name: 'express appending each body, then 200', ...(await serve('bench/bare-append-server.mjs', join(home, 'append.log'))) },
    // a store limit past what the run writes: compaction is measured by bench:store
    {
      name: 'idpass listen --json > file',
      ...(await startListenerToFile(mkdtempSync(join(home, 'l-')), ['--no-tunnel', '--store-max', '4gb'])),
    },
  ];
  for (const s of servers) {
    await load(s.url, connections, 2); // warm
    s.rates = [];
    s.cpu = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const s of servers) {
      const before = cpuMs(s.child.pid);
      const run = await load(s.url, connections, seconds);
      const after = cpuMs(s.child.pid);
      s.rates.push(run.requests.average);
      if (before !== null && after !== null) s.cpu.push(((after - before) * 1000) / Math.max(1, run.requests.total));
      s.errors = (s.errors ?? 0) + run.errors + run.non2xx;
    }
  }
  const [bare, append, listen] = servers;
  const ratio = (a, b) => median(a.rates.map((r, i) => r / b.rates[i]));
  console.log(`throughput, ${connections} connections, ${rounds} rounds of ${seconds}s each, taking turns (node ${process.version})`);
  for (const s of servers) {
    const cpu = s.cpu.length ? `   CPU ${median(s.cpu).toFixed(0).padStart(4)} µs/request` : '';
    console.log(`  ${s.name.padEnd(40)} ${median(s.rates).toFixed(0).padStart(7)} /s${cpu}   errors ${s.errors}`);
  }
  console.log(`  ratio listen / bare            ${fmt(ratio(listen, bare))}   (goal ≥ 0.80)`);
  console.log(
    `  ratio listen / append baseline ${fmt(ratio(listen, append))}   (goal ≥ 0.90 where 0.80 of bare is beyond record-before-answer)`,
  );
  console.log(`  ratio append / bare            ${fmt(ratio(append, bare))}   (what recording each body before answering costs express)`);

  const { url: app } = await serve('bench/bare-server.mjs');
  const { url: forwarding } = await startListenerToFile(mkdtempSync(join(home, 'f-')), [
    '--no-tunnel',
    '--forward-to',
    `${app}/webhook`,
    '--no-store',
  ]);
  const { url: proxy } = await serve('bench/bare-proxy.mjs', `${app}/webhook`);
  // taking turns in blocks of 100, so machine noise hits all three alike
  const targets = { direct: app, listen: forwarding, proxy };
  const samples = { direct: [], listen: [], proxy: [] };
  for (const url of Object.values(targets)) await latencies(url, 300);
  const blockGaps = [];
  for (let block = 0; block < latencyRounds / 100; block++) {
    const got = {};
    for (const [name, url] of Object.entries(targets)) {
      got[name] = await latencies(url, 100);
      samples[name].push(...got[name]);
    }
    blockGaps.push(percentiles(got.listen).p50 - percentiles(got.proxy).p50);
  }
  const [d, v, p] = [samples.direct, samples.listen, samples.proxy].map(percentiles);
  console.log(`forwarding latency, one request at a time, ${latencyRounds} each in turns, keep-alive`);
  console.log(`  direct to app           p50 ${fmt(d.p50)} ms   p99 ${fmt(d.p99)} ms`);
  console.log(
    `  through idpass listen   p50 ${fmt(v.p50)} ms   p99 ${fmt(v.p99)} ms   (verify + classify + forward + NDJSON line, no store)`,
  );
  console.log(`  through a bare proxy    p50 ${fmt(p.p50)} ms   p99 ${fmt(p.p99)} ms   (express.raw + http forward, nothing else)`);
  console.log(`  added by idpass         p50 ${fmt(v.p50 - d.p50)} ms`);
  console.log(`  added by the bare hop   p50 ${fmt(p.p50 - d.p50)} ms   (what any forwarding costs on this machine)`);
  console.log(
    `  idpass beyond the hop   p50 ${fmt(v.p50 - p.p50)} ms   median of the blocks' ${fmt(median(blockGaps))} ms   (goal ≤ 0.15 ms)`,
  );
} finally {
  closeAgent();
  stopProcesses();
  rmSync(home, { recursive: true, force: true });
}

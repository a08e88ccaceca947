#!/usr/bin/env node
// Deliveries per second and latency through a real localtunnel server on loopback versus straight
// to the same `idpass listen`, measured in one run and printed as ratios.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tunnelServerArgs } from '../test/helpers/lt-server-args.mjs';
import { closeAgent, fmt, interleavedLatencies, lineFrom, load, startListener, startProcess, stopProcesses } from './lib.mjs';

const seconds = Number(process.env.SECONDS_EACH ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 10);
const rounds = Number(process.env.LATENCY_ROUNDS ?? 2000);

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => resolve(p));
  });
});

const home = mkdtempSync(join(tmpdir(), 'idpass-bench-'));
try {
  startProcess(tunnelServerArgs(port));
  await new Promise((r) => setTimeout(r, 1000));
  const { child, url: direct } = await startListener(home, [
    '--tunnel-host',
    `http://127.0.0.1:${port}`,
    '--subdomain',
    'idpass-bench',
    '--no-store',
  ]);
  const up = JSON.parse(await lineFrom(child, (line) => line.includes('"tunnel-up"')));
  const tunnel = { url: `http://127.0.0.1:${port}`, headers: { host: new URL(up.url).hostname } };

  await load(direct, 5, 1);
  await load(tunnel.url, 5, 1, tunnel.headers);
  const directRun = await load(direct, connections, seconds);
  const tunnelRun = await load(tunnel.url, connections, seconds, tunnel.headers);
  console.log(`throughput, ${connections} connections, ${seconds}s each (node ${process.version})`);
  console.log(
    `  straight to idpass listen  ${directRun.requests.average.toFixed(0).padStart(7)} deliveries/s   errors ${directRun.errors + directRun.non2xx}`,
  );
  console.log(
    `  through the tunnel         ${tunnelRun.requests.average.toFixed(0).padStart(7)} deliveries/s   errors ${tunnelRun.errors + tunnelRun.non2xx}`,
  );
  console.log(`  ratio tunnel / direct      ${fmt(tunnelRun.requests.average / directRun.requests.average)}`);

  const [d, t] = await interleavedLatencies({ url: direct }, tunnel, rounds);
  console.log(`latency, one request at a time, ${rounds} each, keep-alive`);
  console.log(`  straight to idpass listen  p50 ${fmt(d.p50)} ms   p99 ${fmt(d.p99)} ms`);
  console.log(`  through the tunnel         p50 ${fmt(t.p50)} ms   p99 ${fmt(t.p99)} ms`);
  console.log(
    `  ratio tunnel / direct      p50 ${fmt(t.p50 / d.p50)}×   p99 ${fmt(t.p99 / d.p99)}×   (added p50 ${fmt(t.p50 - d.p50)} ms)`,
  );
} finally {
  closeAgent();
  stopProcesses();
  rmSync(home, { recursive: true, force: true });
}

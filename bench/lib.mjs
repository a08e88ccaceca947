// Shared pieces of the benchmarks: child processes, a signed fixture body, load and latency loops.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const key = 'test_pk_bench0key0abcdefgh';
export const body = readFileSync(join(root, 'fixtures/events/verification.completed.json'), 'utf8');
export const signature = createHmac('sha256', key).update(body).digest('base64');
export const fmt = (n) => n.toFixed(2);

const children = [];

export function startProcess(args, env = {}, node = process.execPath) {
  const child = spawn(node, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return child;
}

export function stopProcesses() {
  for (const child of children) child.kill('SIGTERM');
}

/** Resolves with the first stdout line that satisfies `test` (any line by default), then keeps draining. */
export function lineFrom(child, test = () => true) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      let newline;
      while ((newline = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        if (test(line)) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve(line);
          return;
        }
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
  });
}

export async function startBare() {
  const child = startProcess([join(root, 'bench/bare-server.mjs')]);
  return `http://127.0.0.1:${(await lineFrom(child)).trim()}`;
}

/** Starts the built `idpass listen --json` and returns the child with its local URL. */
export async function startListener(home, extra = []) {
  const child = startProcess([join(root, 'bin/idpass.js'), 'listen', '--port', '0', '--json', '--public-key', key, ...extra], {
    IDPASS_HOME: home,
  });
  return { child, url: JSON.parse(await lineFrom(child)).url };
}

/**
 * Starts the built `idpass listen --json` with its NDJSON going to a file, as `idpass listen --json >
 * deliveries.ndjson` does in CI: the lines are written, and no reader shares the load generator's
 * process. Ready when --ready-file appears.
 */
export async function startListenerToFile(home, extra = [], node = process.execPath) {
  const ready = join(home, 'ready.json');
  const child = spawn(
    node,
    [join(root, 'bin/idpass.js'), 'listen', '--port', '0', '--json', '--public-key', key, '--ready-file', ready, ...extra],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: home },
      stdio: ['ignore', openSync(join(home, 'deliveries.ndjson'), 'w'), 'ignore'],
    },
  );
  children.push(child);
  for (let waited = 0; !existsSync(ready); waited += 20) {
    if (child.exitCode !== null || waited > 20_000) throw new Error('idpass listen did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // the file is written whole; read it once it parses
  for (;;) {
    try {
      return { child, url: JSON.parse(readFileSync(ready, 'utf8')).url };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** CPU milliseconds a process (all its threads) has used, from /proc; null where there is no /proc. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return null;
  }
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const headersFor = (extra) => ({ 'content-type': 'application/json', 'x-prembly-signature': signature, ...extra });

/** autocannon against `url`, a fresh token per request as Identitypass sends. */
export function load(url, connections, duration, extraHeaders = {}) {
  return autocannon({
    url: `${url}/webhook`,
    method: 'POST',
    connections,
    duration,
    headers: headersFor(extraHeaders),
    body,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, token: randomUUID() } }) }],
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Sequential signed POSTs over one kept-alive connection; each round trip in milliseconds. */
export async function latencies(url, count, extraHeaders = {}) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      const req = http.request(
        `${url}/webhook`,
        { method: 'POST', agent, headers: { ...headersFor(extraHeaders), token: randomUUID(), 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/** Latencies of two targets, measured in alternating blocks so machine noise hits both alike. */
export async function interleavedLatencies(a, b, rounds, block = 100) {
  await latencies(a.url, 200, a.headers);
  await latencies(b.url, 200, b.headers);
  const first = [];
  const second = [];
  for (let i = 0; i < rounds / block; i++) {
    first.push(...(await latencies(a.url, block, a.headers)));
    second.push(...(await latencies(b.url, block, b.headers)));
  }
  return [percentiles(first), percentiles(second)];
}

export function percentiles(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

export function closeAgent() {
  agent.destroy();
}

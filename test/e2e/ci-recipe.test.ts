import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { freePort } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

/** A CI step that starts a receiver and triggers at once must not race (built binary). */
const scope = testScope();

describe('a CI recipe that cannot race', () => {
  it('trigger --wait-for-listener waits for a receiver that starts late, then sends', async () => {
    const port = await freePort();
    const trigger = runInProcess([
      'trigger',
      'verification.completed',
      '--to',
      `http://127.0.0.1:${port}/webhook`,
      '--wait-for-listener',
      '10s',
    ]);
    // the scenario itself: the receiver starts late, after trigger began waiting for it
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
    const res = await runInProcess(['trigger', 'verification.completed', '--to', `:${port}/webhook`, '--wait-for-listener', '400ms']);
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
    const sent = await runInProcess(['trigger', 'verification.completed', '--to', `${ready.url}/webhook`]);
    expect(sent.code).toBe(0);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

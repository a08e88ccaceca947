import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListenerFact } from '../../src/core/receive/facts.js';
import { createListener } from '../../src/core/receive/listener.js';
import { sign } from '../../src/core/signing/sign.js';
import { postRaw, startReceiver } from '../helpers/receiver.js';
import { runCommand, runInProcess } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';

/** Faults an adversarial run found, each reproduced as it was reported. */

/** A receiver that takes each request and never answers it. */
async function silentServer() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const close = async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { held, url, close };
}

describe('-H / --forward-header values that HTTP cannot carry', () => {
  it.each([
    ['x-env: a\r\nInjected: 1', /U\+000D \(carriage return\) at character 2/],
    ['x-env: a\nb', /U\+000A \(line feed\)/],
    ['x-env: \u001b[31m', /U\+001B \(escape\)/],
    ['x-env: ✓', /U\+2713 at character 1/],
  ])('%j is refused at start with exit 2, the character shown safely', async (line, shown) => {
    const res = await runInProcess(['listen', '--no-tunnel', '--no-store', '--port', '0', '-H', line]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(shown);
    expect(res.stderr).not.toMatch(/[\r\u001b]|\n(?!$)Injected/);
  });

  it('Latin-1 and tabs are still fine', async () => {
    const res = await runInProcess([
      'listen',
      '--no-tunnel',
      '--no-store',
      '--port',
      '0',
      '-H',
      'x-env: caf\u00e9\tok',
      '--timeout',
      '50ms',
    ]);
    expect(res.code).toBe(0);
  });

  it('a header the app cannot be sent (given through the library) is a 502 the output still shows, not a dropped delivery', async () => {
    const app = await startReceiver();
    const listener = createListener({ forwardTo: app.url, forwardHeaders: [['x-env', '✓']], store: null });
    const facts: ListenerFact[] = [];
    listener.on('fact', (f) => facts.push(f));
    const { url } = await listener.start({ port: 0 });
    try {
      const body = '{"verification":{"status":"VERIFIED","reference":"h-1"},"billing_info":{}}';
      const { headers } = sign({ body, publicKey: listener.publicKey });
      const reply = await postRaw(`${url}/webhook`, body, headers as Record<string, string>);
      expect(reply.status).toBe(502);
      const completed = facts.find((f) => f.type === 'completed');
      expect(completed).toBeDefined();
      expect(completed!.type === 'completed' && completed!.delivery.forward?.error?.message).toMatch(/could not forward/);
    } finally {
      await listener.close();
      await app.close();
    }
  });
});

describe('credentials in headers', () => {
  const scope = testScope();

  it('Authorization, Proxy-Authorization and Cookie are masked in every view, --show-pii too, and kept in the store', async () => {
    const l = await scope.listen(['--wait-for', 'verification.completed', '--timeout', '20s']);
    const body = '{"verification":{"status":"VERIFIED","reference":"cred-1"},"billing_info":{}}';
    const { headers } = sign({ body, publicKey: 'test_pk_idpass0sandbox0key0not0for0production' });
    const secrets = {
      authorization: 'Basic dXNlcjpzM2NyM3Q=',
      'proxy-authorization': 'Bearer pr0xy-t0ken-value',
      cookie: 'session=c00kie-value; theme=dark',
    };
    expect((await postRaw(`${l.url}/webhook`, body, { ...(headers as Record<string, string>), ...secrets })).status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(await l.exited).toBe(0);
    const env = { IDPASS_HOME: l.home };
    for (const args of [[], ['--json'], ['--show-pii'], ['--json', '--show-pii']]) {
      const shown = await runInProcess(['events', 'show', String(d!.id), ...args], { env });
      expect(shown.code).toBe(0);
      for (const value of ['dXNlcjpzM2NyM3Q', 'pr0xy-t0ken-value', 'c00kie-value'])
        expect(shown.stdout, args.join(' ')).not.toContain(value);
      expect(shown.stdout).toMatch(/Basic ••••/);
      expect(shown.stdout).toMatch(/session=••••; theme=••••/);
    }
    expect(readFileSync(join(l.home, 'deliveries.ndjson'), 'utf8')).toContain('dXNlcjpzM2NyM3Q=');
  });
});

describe('endless input', () => {
  it.each([
    ['verify', '--body', ['-H', 'token: t']],
    ['trigger verification.completed', '--data', ['--to', 'http://127.0.0.1:9/never']],
  ])('%s %s /dev/zero stops at the cap with exit 2, not after gigabytes', async (command, flag, extra) => {
    // without the cap this read runs until memory gives out (vitest's time limit ends the test first)
    const res = await runInProcess([...command.split(' '), flag, '/dev/zero', ...extra]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/is larger than 10485760 bytes/);
  });
});

describe('trigger --count interrupted', () => {
  it('the deliveries in flight at Ctrl-C are reported, not lost from every bucket', async () => {
    const { held, url, close } = await silentServer();
    try {
      const res = await runCommand(['trigger', 'verification.completed', '--count', '20', '--concurrency', '5', '--to', url, '--json'], {
        whileRunning: (io) => {
          const wait = () => (held.length >= 5 ? io.interrupt() : setTimeout(wait, 10));
          wait();
        },
      });
      expect(res.code).toBe(130);
      const summary = (JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { summary: Record<string, unknown> }).summary;
      expect(summary).toMatchObject({ interrupted: true, inFlightWhenInterrupted: 5, expected: 0, unexpected: 0 });
      const text = await runCommand(['trigger', 'verification.completed', '--count', '20', '--concurrency', '3', '--to', url], {
        whileRunning: (io) => {
          const wait = () => (held.length >= 8 ? io.interrupt() : setTimeout(wait, 10));
          wait();
        },
      });
      expect(text.stdout).toMatch(/3 in flight when interrupted: no answer was awaited, and the receiver may have processed them/);
    } finally {
      await close();
    }
  });
});

describe('doctor against a handler that never answers', () => {
  it('stops sending once three deliveries in a row got no answer, and the card says why the rest did not run', async () => {
    // vitest's 30 s limit is the proof: every check to its time limit (and 20 speed samples) took minutes at 10 s
    const { held, url, close } = await silentServer();
    try {
      const res = await runInProcess(['doctor', url, '--timeout', '300ms', '--json']);
      expect(res.code).toBe(1);
      const lines = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const summary = lines.at(-1)!.summary as { skipped: number; failed: number };
      expect(summary.failed).toBeGreaterThan(0);
      expect(summary.skipped).toBeGreaterThan(10);
      expect(lines.some((l) => /not run: the handler answered none of the last 3 deliveries/.test(String(l.got)))).toBe(true);
      expect(held.length).toBeLessThan(10);
    } finally {
      await close();
    }
  });
});

describe('a FIFO where a file belongs', () => {
  const scope = testScope();
  const fifoHome = () => {
    const home = mkdtempSync(join(tmpdir(), 'idpass-fifo-'));
    execFileSync('mkfifo', [join(home, 'deliveries.ndjson')]);
    return home;
  };

  it('events list, show and clear refuse it at once with exit 2 instead of hanging', async () => {
    const env = { IDPASS_HOME: fifoHome() };
    for (const args of [
      ['events', 'list'],
      ['events', 'show', 'abc'],
      ['events', 'clear', '--yes'],
    ]) {
      const res = await runInProcess(args, { env });
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr).toMatch(/is a FIFO; the store is a regular file/);
    }
  });

  it('listen starts, says the store cannot be used, answers deliveries and stops on SIGTERM', async () => {
    const l = await scope.listen([], { home: fifoHome() });
    const body = '{"verification":{"status":"VERIFIED","reference":"fifo-1"},"billing_info":{}}';
    const { headers } = sign({ body, publicKey: 'test_pk_idpass0sandbox0key0not0for0production' });
    expect((await postRaw(`${l.url}/webhook`, body, headers as Record<string, string>)).status).toBe(200);
    await l.waitForStderr(/is a FIFO/);
    expect(await l.stop('SIGTERM')).toBe(0);
  });

  it('doctor --junit refuses a FIFO at once', async () => {
    const app = await scope.receiver();
    const dir = mkdtempSync(join(tmpdir(), 'idpass-fifo-junit-'));
    const fifo = join(dir, 'report.xml');
    execFileSync('mkfifo', [fifo]);
    const res = await runInProcess(['doctor', app.url, '--only', 'genuine.verification.completed', '--junit', fifo]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/not a regular file/);
  });
});

describe('a URL with a password that is refused', () => {
  it.each([['http://user:hunter2@exa mple.com/x'], ['ftp://user:hunter2@example.com/x']])(
    '%s: the usage error never echoes the password',
    async (url) => {
      const res = await runInProcess(['trigger', 'verification.completed', '--to', url]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('user:•••@');
      expect(res.stderr).not.toContain('hunter2');
    },
  );
});

describe('listen stopping', () => {
  const body = '{"verification":{"status":"VERIFIED","reference":"stop-1"},"billing_info":{}}';
  const KEY_ = 'test_pk_idpass0sandbox0key0not0for0production';

  /** A raw request whose headers went out before the stop and whose body comes after it. */
  function halfSent(port: number): { finish: () => Promise<string> } {
    const socket = connect({ host: '127.0.0.1', port });
    const { headers } = sign({ body, publicKey: KEY_ });
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`);
    socket.write(
      [`POST /webhook HTTP/1.1`, `host: 127.0.0.1:${port}`, `content-length: ${Buffer.byteLength(body)}`, ...lines, '', ''].join('\r\n'),
    );
    let reply = '';
    socket.on('data', (d) => (reply += d));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return {
      finish: async () => {
        socket.write(body);
        await ended;
        return reply;
      },
    };
  }

  it('a delivery that arrives while stopping is recorded and answered 503 with Connection: close, not forwarded', async () => {
    const app = await startReceiver();
    const home = mkdtempSync(join(tmpdir(), 'idpass-stop-'));
    const { DeliveryStore } = await import('../../src/core/store/log.js');
    const listener = createListener({ forwardTo: app.url, store: new DeliveryStore({ dir: home }) });
    const { port } = await listener.start({ port: 0 });
    const request = halfSent(port);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the headers are in
    const closing = listener.close();
    const reply = await request.finish();
    await closing;
    expect(reply).toMatch(/^HTTP\/1\.1 503/);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(app.received).toHaveLength(0);
    const stored = readFileSync(join(home, 'deliveries.ndjson'), 'utf8');
    expect(stored).toContain('stop-1');
    expect(stored).toMatch(/"kind":"outcome"[^\n]*"answerStatus":503/);
    await app.close();
  });

  it('a forward cut at the grace deadline: the sender gets the 502 the store records, not a reset', async () => {
    const hung = http.createServer((req) => req.resume()); // takes the delivery, never answers
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(hung.address() as { port: number }).port}/hook`;
    const listener = createListener({ forwardTo: target, forwardTimeoutMs: null, store: null });
    const { url } = await listener.start({ port: 0 });
    const { headers } = sign({ body, publicKey: KEY_ });
    const answered = postRaw(`${url}/webhook`, body, headers as Record<string, string>);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await listener.close(200);
    expect((await answered).status).toBe(502);
    hung.closeAllConnections();
    await new Promise((resolve) => hung.close(resolve));
  });
});

describe('a store refused in a loose folder', () => {
  it('the folder that others can read is still named when the store itself is refused (a link planted there)', async () => {
    const { chmodSync, symlinkSync } = await import('node:fs');
    const home = mkdtempSync(join(tmpdir(), 'idpass-loose-'));
    chmodSync(home, 0o777);
    symlinkSync('/etc/hostname', join(home, 'deliveries.ndjson'));
    const res = await runInProcess(['listen', '--no-tunnel', '--port', '0', '--timeout', '50ms'], { env: { IDPASS_HOME: home } });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/readable by others \(mode 777\)/);
    expect(res.stderr).toMatch(/symbolic link; refusing to follow it/);
  });
});

describe('a state folder that is not one', () => {
  it.each([
    ['IDPASS_HOME is a file', (dir: string) => writeFileSync(join(dir, 'home'), ''), /a part of that path is a file, not a folder/],
    [
      'the store path is a folder',
      (dir: string) => mkdirSync(join(dir, 'home', 'deliveries.ndjson'), { recursive: true }),
      /is a folder; the store is a regular file/,
    ],
  ])('%s: events list says so with exit 2, not an unexpected failure', async (_what, arrange, says) => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-notdir-'));
    arrange(dir);
    const res = await runInProcess(['events', 'list'], { env: { IDPASS_HOME: join(dir, 'home') } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(says);
    expect(res.stderr).not.toMatch(/unexpected failure/);
  });
});

import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli as runBin } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { freePort, type Received } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

const KEY = 'test_pk_e2e0receiver0key0wxyz';
/** The current scheme under the test key. */
const SIGNED = ['--scheme', 'prembly-hmac', '--public-key', KEY];
const LIVE = 'live_pk_e2e0receiver0live0key0wxyz';
const hmacOf = (body: Buffer, key = KEY) => createHmac('sha256', key).update(body).digest('base64');
const bodyOf = (r: Received) => JSON.parse(r.body.toString('utf8'));

const receiver = testScope().receiver;

/** A receiver that checks deliveries the way the Identitypass docs ask: HMAC over raw bytes, constant token tracking. */
function strictAnswer() {
  const seen = new Set<string>();
  return (req: Received) => {
    const sig = req.headers['x-prembly-signature'];
    if (typeof sig !== 'string' || sig !== hmacOf(req.body)) return { status: 401, body: '{"error":"bad signature"}' };
    const token = String(req.headers.token);
    if (seen.has(token)) return { status: 409, body: '{"error":"replay"}' };
    seen.add(token);
    return { status: 200, body: '{"received":true}' };
  };
}

describe('idpass trigger (in process, real loopback receiver)', () => {
  it('delivers a correctly signed verification.completed and exits 0', async () => {
    const r = await receiver();
    const res = await runInProcess(['trigger', 'verification.completed', '--to', r.url, ...SIGNED, '--json']);
    expect(res.code).toBe(0);
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/webhook');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-prembly-signature']).toBe(hmacOf(got.body));
    const body = bodyOf(got);
    expect(body).toMatchObject({ status: true, response_code: '00', verification: { status: 'VERIFIED' }, endpoint_name: 'BVN Basic' });
    const [line] = jsonLines(res.stdout);
    expect(line).toMatchObject({ event: 'verification.completed', status: 200, ok: true, url: r.url, token: got.headers.token });
    expect(line!.reference).toBe(body.verification.reference);
    expect(typeof line!.ms).toBe('number');
  });

  it('signs with the static schemes: the base64 public key in the right header', async () => {
    const r = await receiver();
    expect(
      (await runInProcess(['trigger', 'verification.failed', '--to', r.url, '--public-key', KEY, '--scheme', 'identitypass'])).code,
    ).toBe(0);
    expect(
      (
        await runInProcess(['trigger', 'verification.failed', '--to', r.url, '--scheme', 'prembly-legacy'], {
          env: { IDPASS_PUBLIC_KEY: KEY },
        })
      ).code,
    ).toBe(0);
    const [original, legacy] = r.received;
    expect(original!.headers['x-identitypass-signature']).toBe(Buffer.from(KEY).toString('base64'));
    expect(original!.headers['x-prembly-signature']).toBeUndefined();
    expect(legacy!.headers['x-prembly-signature']).toBe(Buffer.from(KEY).toString('base64'));
    expect(bodyOf(original!).verification.status).toBe('NOT-VERIFIED');
  });

  it('takes the target, keys and scheme from the environment', async () => {
    const r = await receiver();
    const res = await runInProcess(['trigger', 'watchlist.identity_flagged'], {
      env: { IDPASS_TRIGGER_URL: r.url, IDPASS_PUBLIC_KEY: KEY, IDPASS_LIVE_PUBLIC_KEY: LIVE, IDPASS_SCHEME: 'prembly-hmac' },
    });
    expect(res.code).toBe(0);
    // watchlist alerts are signed with the live key, even from sandbox
    expect(r.received[0]!.headers['x-prembly-signature']).toBe(hmacOf(r.received[0]!.body, LIVE));
    expect(bodyOf(r.received[0]!).event).toBe('watchlist.identity_flagged');
  });

  it('sends a labelled pending, then the final as a retry-flagged delivery with one reference, signed with the live key', async () => {
    const r = await receiver();
    const res = await runInProcess([
      'trigger',
      'verification.completed',
      '--pending-first',
      '--delay',
      '200ms',
      '--to',
      r.url,
      '--product',
      'passport',
      '--public-key',
      KEY,
      '--live-public-key',
      LIVE,
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(r.received).toHaveLength(2);
    expect(r.received[0]!.headers['x-prembly-signature']).toBe(hmacOf(r.received[0]!.body, KEY));
    expect(r.received[1]!.headers['x-prembly-signature']).toBe(hmacOf(r.received[1]!.body, LIVE));
    const [pending, final] = r.received.map(bodyOf);
    expect(pending.verification.status).toBe('PENDING');
    expect(final.verification.status).toBe('VERIFIED');
    expect(final.verification.reference).toBe(pending.verification.reference);
    expect(final.is_callback_retry).toBe(true);
    expect(final.endpoint_name).toBe('International Passport');
    expect(final.data.number).toBe('A00000000');
    expect(r.received[0]!.headers.token).not.toBe(r.received[1]!.headers.token);
    const lines = jsonLines(res.stdout);
    expect(lines.map((l) => l.event)).toEqual(['verification.pending', 'verification.retry.completed']);
    expect(lines[0]!.note).toMatch(/Prembly returns this as the API’s answer; it does not POST it/);
    expect(lines.map((l) => l.key)).toEqual(['sandbox', 'live']);
    expect(lines[0]!.reference).toBe(lines[1]!.reference);
    expect(res.stderr).toContain('waiting 200ms');
  });

  it('applies --set and --unset, and sends --data as the file holds it', async () => {
    const r = await receiver();
    const set = await runInProcess([
      'trigger',
      'verification.completed',
      '--to',
      r.url,
      '--set',
      'data.firstName=Grace',
      '--set',
      'data.age=37',
      '--unset',
      'user_info',
    ]);
    expect(set.code).toBe(0);
    const body = bodyOf(r.received[0]!);
    expect(body.data.firstName).toBe('Grace');
    expect(body.data.age).toBe(37);
    expect(body).not.toHaveProperty('user_info');

    const dir = mkdtempSync(join(tmpdir(), 'idpass-data-'));
    const file = join(dir, 'body.json');
    const raw = '{\n  "status": true,\n  "verification": {"status": "VERIFIED", "reference": "file-ref"}\n}\n';
    writeFileSync(file, raw);
    const data = await runInProcess(['trigger', 'verification.completed', '--to', r.url, '--data', file, ...SIGNED, '--json']);
    expect(data.code).toBe(0);
    expect(r.received[1]!.body.toString('utf8')).toBe(raw);
    expect(r.received[1]!.headers['x-prembly-signature']).toBe(hmacOf(Buffer.from(raw)));
    expect(jsonLines(data.stdout)[0]!.reference).toBe('file-ref');

    const stdin = await runInProcess(['trigger', 'verification.completed', '--to', r.url, '--data', '-'], { input: raw });
    expect(stdin.code).toBe(0);
    expect(r.received[2]!.body.toString('utf8')).toBe(raw);
  });

  it('exits 1 on 201 with the reason Identitypass would give', async () => {
    const r = await receiver(() => ({ status: 201, body: '{"created":true}' }));
    const res = await runInProcess(['trigger', 'verification.completed', '--to', r.url]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('201 expected 200');
    expect(res.stdout).toContain('{"created":true}');
    expect(res.stdout).toMatch(/anything but 200 as a failed delivery/);
  });

  it('accepts a 201 when told to, and from workflow receivers by default', async () => {
    const r = await receiver(() => ({ status: 201 }));
    expect((await runInProcess(['trigger', 'verification.completed', '--to', r.url, '--expect-status', '2xx'])).code).toBe(0);
    expect((await runInProcess(['trigger', 'workflow.process.manual_review', '--to', r.url])).code).toBe(0);
  });

  it('exits 1 on 500 and shows the first bytes of the reply', async () => {
    const r = await receiver(() => ({ status: 500, body: '{"error":"database is down"}' + 'x'.repeat(2000) }));
    const res = await runInProcess(['trigger', 'verification.completed', '--to', r.url]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('500 expected 200');
    expect(res.stdout).toContain('reply: {"error":"database is down"}xxx');
    expect(res.stdout).toContain('…');
    expect(res.stdout.length).toBeLessThan(1500);
  });

  it('exits 3 with the URL and the cause when nothing listens', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhook`;
    const res = await runInProcess(['trigger', 'verification.completed', '--to', url]);
    expect(res.code).toBe(3);
    expect(res.stdout).toContain(url);
    expect(res.stdout).toContain('connection refused');
    const json = await runInProcess(['trigger', 'verification.completed', '--to', url, '--json']);
    expect(json.code).toBe(3);
    expect(jsonLines(json.stdout)[0]).toMatchObject({ ok: false, status: null, errorKind: 'refused' });
  });

  it('does not send the final delivery when the receiver cannot be reached', async () => {
    const port = await freePort();
    const res = await runInProcess([
      'trigger',
      'verification.completed',
      '--pending-first',
      '--delay',
      '10ms',
      '--to',
      `http://127.0.0.1:${port}/`,
      '--json',
    ]);
    expect(res.code).toBe(3);
    expect(jsonLines(res.stdout)).toHaveLength(1);
    expect(res.stderr).toContain('1 not sent');
  });

  it('exits 1 when the receiver is slower than --timeout', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 3000 }));
    const res = await runInProcess(['trigger', 'verification.completed', '--to', r.url, '--timeout', '300ms', '--json']);
    expect(res.code).toBe(1);
    expect(jsonLines(res.stdout)[0]).toMatchObject({ ok: false, status: null, errorKind: 'timeout' });
    expect(r.received).toHaveLength(1);
  });

  describe('--tamper', () => {
    it.each(['signature', 'body', 'missing-signature', 'replay'])('%s: exits 0 when a strict receiver refuses it', async (kind) => {
      const r = await receiver(strictAnswer());
      const res = await runInProcess(['trigger', 'verification.completed', '--tamper', kind, '--to', r.url, ...SIGNED, '--json']);
      expect(res.code).toBe(0);
      const lines = jsonLines(res.stdout);
      expect(lines.at(-1)!.status).toBeGreaterThanOrEqual(400);
      if (kind === 'replay') {
        expect(r.received).toHaveLength(2);
        expect(lines[0]!.status).toBe(200);
        expect(r.received[0]!.headers.token).toBe(r.received[1]!.headers.token);
        expect(r.received[0]!.body.equals(r.received[1]!.body)).toBe(true);
      }
      if (kind === 'missing-signature') expect(r.received[0]!.headers['x-prembly-signature']).toBeUndefined();
      if (kind === 'body') expect(bodyOf(r.received[0]!).tampered_by).toBe('idpass');
    });

    it.each(['signature', 'missing-signature'])('%s: exits 1 with a hint when a naive receiver accepts it', async (kind) => {
      const r = await receiver(() => ({ status: 200 }));
      const res = await runInProcess(['trigger', 'verification.completed', '--tamper', kind, '--to', r.url]);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/must answer 401/);
    });

    it('replay: passes against an idempotent receiver (200 twice), as Prembly asks', async () => {
      const r = await receiver(() => ({ status: 200 }));
      const res = await runInProcess(['trigger', 'verification.completed', '--tamper', 'replay', '--to', r.url, '--json']);
      expect(res.code).toBe(0);
      expect(jsonLines(res.stdout).map((l) => [l.status, l.ok, l.warning ?? null])).toEqual([
        [200, true, null],
        [200, true, null],
      ]);
    });

    it('replay: passes with a warning naming the consequence against a receiver that answers 409', async () => {
      const r = await receiver(strictAnswer());
      const res = await runInProcess(['trigger', 'verification.completed', '--tamper', 'replay', '--to', r.url, '--public-key', KEY]);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^! verification\.completed .*409/m);
      expect(res.stdout).toMatch(/idempotent.*failed delivery.*SDK sessions are retried/);
    });

    it('replay: fails when the repeat breaks the handler (500)', async () => {
      const r = await receiver((_req, i) => ({ status: i === 0 ? 200 : 500 }));
      const res = await runInProcess(['trigger', 'verification.completed', '--tamper', 'replay', '--to', r.url]);
      expect(res.code).toBe(1);
    });

    it('honours --expect-status for the tampered delivery', async () => {
      const r = await receiver(strictAnswer());
      const res = await runInProcess([
        'trigger',
        'verification.completed',
        '--tamper',
        'signature',
        '--expect-status',
        '403',
        '--to',
        r.url,
        ...SIGNED,
      ]);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('401 expected 403');
    });
  });

  describe('bad input exits 2 and says what to fix (the rest run in process: test/commands)', () => {
    it.each([
      [['trigger', 'verification.complete'], /did you mean verification\.completed/],
      [['trigger', 'verification.completed', '--tamper', 'body', '--scheme', 'identitypass'], /needs --scheme prembly-hmac/],
      [['tigger'], /unknown command 'tigger'/],
    ])('%j', async (args, message) => {
      const res = await runInProcess(args);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('--version and --help answer with exit 0', async () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    const version = await runBin(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await runBin(['trigger', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--to',
      '--product',
      '--set',
      '--unset',
      '--data',
      '--pending-first',
      '--delay',
      '--tamper',
      '--expect-status',
      '--timeout',
      '--json',
      '--list',
      '--public-key',
      '--scheme',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('--help, --version and trigger load none of express, ink, react or localtunnel', async () => {
    const r = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'idpass-trace-'));
    const hook = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));
    for (const args of [['--help'], ['--version'], ['trigger', 'verification.completed', '--to', r.url]]) {
      const file = join(dir, `${args[0]}.txt`);
      const res = await runBin(args, { nodeArgs: ['--import', hook], env: { IDPASS_TRACE_FILE: file } });
      expect(res.code).toBe(0);
      const loaded = readFileSync(file, 'utf8');
      expect(loaded).toContain('/dist/cli.js');
      expect(loaded).not.toMatch(/node_modules\/(express|ink|react|localtunnel)\//);
    }
  });
});

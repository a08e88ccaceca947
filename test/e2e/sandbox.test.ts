import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { identitypassWebhook } from '../../src/core/receive/middleware.js';
import { BIN } from '../helpers/cli.js';
import { Terminal } from '../helpers/tmux.js';
import { tempHome } from '../helpers/listen.js';
import { testScope } from '../helpers/scope.js';

/**
 * The whole flow offline: the built `idpass sandbox` as the Prembly API, and a small app written here
 * that integrates with it as a real one would (fetch with x-api-key, store the reference, verify the
 * webhook with the library's middleware).
 */
const scope = testScope();
const KEYS = { publicKey: 'test_pk_flow0sandbox0key0abc123', livePublicKey: 'live_pk_flow0live0key0def456' };

interface Received {
  event: string | null;
  reference: string | null;
  key: string | null;
  body: Record<string, unknown>;
  token: string | null;
}

/** An app that verifies BVNs through "Prembly" and learns results from its webhooks. */
async function startApp(failFirst = 0) {
  const state = new Map<string, string>();
  const webhooks: Received[] = [];
  const answers: number[] = [];
  let base = '';
  let failures = failFirst;
  const app = express();
  app.post('/verify', express.json(), async (req, res) => {
    const reply = await fetch(`${base}/identitypass/verification/bvn_validation`, {
      method: 'POST',
      headers: { 'x-api-key': 'test_sk_my0app0secret0key', 'content-type': 'application/json' },
      body: JSON.stringify({ number: (req.body as { number: string }).number }),
    });
    const answer = (await reply.json()) as { verification: { reference: string; status: string }; response_code: string };
    state.set(answer.verification.reference, answer.verification.status);
    res.json(answer);
  });
  app.post('/webhooks/identitypass', identitypassWebhook(KEYS), (req, res) => {
    if (failures > 0) {
      failures--;
      answers.push(500);
      res.sendStatus(500);
      return;
    }
    const d = req.identitypass!;
    webhooks.push({
      event: d.classification.event,
      reference: d.classification.reference,
      key: d.verification.key,
      body: req.body as Record<string, unknown>,
      token: d.verification.token,
    });
    if (d.classification.reference && d.classification.identityStatus)
      state.set(d.classification.reference, d.classification.identityStatus);
    answers.push(200);
    res.sendStatus(200);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  scope.defer(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, state, webhooks, answers, setBase: (b: string) => (base = b) };
}

/** The built `idpass sandbox`, on a free port, ready once its ready file says so. */
async function startSandbox(args: string[]) {
  const home = tempHome();
  const ready = join(home, 'ready.json');
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--ready-file', ready, '--json', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  scope.defer(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 10_000;
  while (!existsSync(ready)) {
    if (Date.now() > deadline) throw new Error(`sandbox never got ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const { url } = JSON.parse(readFileSync(ready, 'utf8')) as { url: string };
  const lines = () =>
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const admin = async (path: string, init?: RequestInit) => (await fetch(`${url}/__idpass${path}`, init)).json() as Promise<unknown>;
  return { url, child, closed, lines, stderr: () => stderr, admin };
}

async function until<T>(check: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function poll<T>(check: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('idpass sandbox: the whole flow offline', () => {
  it('registry down: the app gets PENDING with a reference, then the verified result by webhook, live-signed, flagged as a retry', async () => {
    const app = await startApp();
    const sandbox = await startSandbox([
      '--webhook-url',
      `${app.url}/webhooks/identitypass`,
      '--pending-delay',
      '300ms',
      '--public-key',
      KEYS.publicKey,
      '--live-public-key',
      KEYS.livePublicKey,
    ]);
    app.setBase(sandbox.url);
    const answer = (await (
      await fetch(`${app.url}/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ number: '00000000002' }),
      })
    ).json()) as {
      response_code: string;
      verification: { reference: string; status: string };
    };
    expect(answer.response_code).toBe('02');
    expect(answer.verification.status).toBe('PENDING');
    const reference = answer.verification.reference;
    expect(app.state.get(reference)).toBe('PENDING');
    const hook = await until(() => app.webhooks[0], 'the final webhook');
    expect(hook).toMatchObject({ event: 'verification.retry.completed', reference, key: 'live' });
    expect(hook.body.is_callback_retry).toBe(true);
    expect(app.state.get(reference)).toBe('VERIFIED');
    // the status endpoint agrees
    const status = (await (
      await fetch(`${sandbox.url}/api/v1/verification/api/status/${reference}/`, { headers: { 'x-api-key': 'test_sk_my0app0secret0key' } })
    ).json()) as { data: { status: string } };
    expect(status.data.status).toBe('VERIFIED');
    // what the sandbox printed: the API call, then the delivered attempt
    const lines = sandbox.lines();
    expect(lines[0]).toMatchObject({ type: 'api', method: 'POST', status: 200, code: '02', reference });
    expect(lines.find((l) => l.type === 'attempt')).toMatchObject({ attempt: { n: 1, status: 200, delivered: true } });
    // Ctrl-C: nothing was waiting
    sandbox.child.kill('SIGINT');
    expect(await sandbox.closed).toBe(0);
    expect(sandbox.stderr()).toMatch(/stopped: no webhook was waiting/);
  }, 30_000);

  it('retries a workflow run on its compressed schedule while the app answers 500, and never retries a direct-API result', async () => {
    const app = await startApp(2);
    const sandbox = await startSandbox([
      '--webhook-url',
      `${app.url}/webhooks/identitypass`,
      '--time-scale',
      '600',
      '--public-key',
      KEYS.publicKey,
      '--live-public-key',
      KEYS.livePublicKey,
    ]);
    const run = (await sandbox.admin('/workflows', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"outcome":"failed"}',
    })) as { id: string };
    const done = await until(() => app.webhooks[0], 'the workflow run delivered');
    expect(done.event).toBe('workflow.process.failed');
    expect(app.answers).toEqual([500, 500, 200]);
    const deliveries = (await sandbox.admin('/deliveries')) as { id: string; state: string; attempts: { at: string; status: number }[] }[];
    const attempts = deliveries.find((d) => d.id === run.id)!.attempts;
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    // 1 min and 5 min at 600×: 100 ms and 500 ms
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i]!.at));
    // never sooner than the compressed schedule (timers may fire late on a busy machine, never early)
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(490);
    // a direct-API match answered 500 is sent once (Prembly: never retried)
    const failing = await startApp(5);
    await fetch(`${sandbox.url}/__idpass/webhook-url`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${failing.url}/webhooks/identitypass` }),
    });
    failing.setBase(sandbox.url);
    await fetch(`${failing.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"number":"54651333604"}',
    });
    type Listed = { event: string; state: string; attempts: unknown[] };
    const direct = await poll(
      async () =>
        ((await sandbox.admin('/deliveries')) as Listed[]).find((d) => d.event === 'verification.completed' && d.state === 'failed'),
      'the direct result settled',
    );
    // an absence: give a wrong retry time to show itself (a timer firing late only makes this pass later)
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(direct.attempts).toHaveLength(1);
    expect(failing.answers).toEqual([500]);
  }, 30_000);

  it('Ctrl-C with a result still to be delivered: exit 0, and it says which webhook will never be sent', async () => {
    const sandbox = await startSandbox(['--webhook-url', 'http://127.0.0.1:9/never', '--pending-delay', '30s']);
    const res = await fetch(`${sandbox.url}/verification/bvn`, {
      method: 'POST',
      headers: { 'x-api-key': 'test_sk_my0app0secret0key', 'content-type': 'application/json' },
      body: '{"number":"00000000003"}',
    });
    expect(((await res.json()) as { response_code: string }).response_code).toBe('03');
    sandbox.child.kill('SIGINT');
    expect(await sandbox.closed).toBe(0);
    expect(sandbox.stderr()).toMatch(
      /stopped: 1 scheduled webhook cancelled, never sent: verification\.payment_retry\.completed whk_[0-9a-f]{16}/,
    );
  }, 20_000);

  it('at its terminal (tmux): commands start the other flows, and Ctrl-C stops it cleanly', async () => {
    if (!Terminal.available()) throw new Error('tmux is needed (.ci/run installs it)');
    const app = await scope.receiver();
    const term = new Terminal(140, 30);
    scope.defer(() => term.kill());
    const q = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
    term.start(`env -u CI NO_COLOR=1 ${q(process.execPath)} ${q(BIN)} sandbox --port 0 --webhook-url ${q(app.url)}; echo "EXIT=$?"`);
    await term.waitFor((s) => s.includes('type: session'), 'the command help');
    term.keys('workflow failed', 'Enter');
    const queued = await term.waitFor(
      (s) => /webhook workflow\.process\.failed → 200 in \d+ms \(attempt 1, live key\) delivered/.test(s),
      'the workflow run delivered',
    );
    expect(queued).toMatch(/queued workflow\.process\.failed whk_[0-9a-f]{16}/);
    term.keys('session customer-9', 'Enter');
    await term.waitFor((s) => /webhook sdk\.session\.completed → 200/.test(s), 'the SDK session delivered');
    term.keys('deliveries', 'Enter');
    await term.waitFor((s) => /whk_[0-9a-f]{16} {2}sdk\.session\.completed {2}delivered {2}1 attempt/.test(s), 'the list');
    term.keys('bogus', 'Enter');
    await term.waitFor((s) => s.includes('unknown command bogus'), 'the unknown command');
    expect(app.received).toHaveLength(2);
    expect(
      (JSON.parse(app.received[1]!.body.toString()) as { data: { widget_info: { user_ref: string } } }).data.widget_info.user_ref,
    ).toBe('customer-9');
    term.keys('C-c');
    const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
    expect(end).toMatch(/stopped: no webhook was waiting/);
    expect(end).toMatch(/EXIT=0/);
  }, 30_000);
});

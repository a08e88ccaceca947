import { createHmac } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAGIC_NUMBERS } from '../../src/core/sandbox/identities.js';
import { createSandbox, type Sandbox } from '../../src/core/sandbox/sandbox.js';
import { runInProcess } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';

/** The sandbox's API as an integration sees it: createSandbox() on loopback, called over HTTP. */
const scope = testScope();
const KEYS = { publicKey: 'test_pk_api0sandbox0key0abc123', livePublicKey: 'live_pk_api0live0key0def456' };
const API_KEY = { 'x-api-key': 'test_sk_integration0key0123', 'content-type': 'application/json' };

async function sandboxWithReceiver(options: Partial<Parameters<typeof createSandbox>[0]> = {}) {
  const app = await scope.receiver();
  const sandbox = createSandbox({ ...KEYS, webhookUrl: app.url, pendingDelayMs: 100, slowDelayMs: 300, ...options });
  const url = await sandbox.start({ port: 0 });
  scope.defer(() => sandbox.close());
  const post = async (path: string, body: unknown, headers: Record<string, string> = API_KEY) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { sandbox, url, app, post };
}

const settle = (sandbox: Sandbox, count: number) =>
  new Promise<void>((resolve) => {
    const check = () => sandbox.dispatcher.list().filter((d) => d.attempts.length > 0).length >= count && resolve();
    sandbox.on('fact', check);
    check();
  });

describe('the sandbox API', () => {
  it('each magic number decides the answer and whether a webhook follows', async () => {
    const { sandbox, app, post } = await sandboxWithReceiver();
    const bvn = (number: string) => post('/identitypass/verification/bvn_validation', { number });
    for (const magic of MAGIC_NUMBERS) {
      const started = Date.now();
      const res = await bvn(magic.number);
      expect(res.status, magic.number).toBe(200);
      expect(res.body.response_code, magic.number).toBe(magic.code);
      const status = res.body.verification.status;
      if (magic.code === '00') expect(status).toBe('VERIFIED');
      if (magic.code === '01' || magic.code === '07') expect(status).toBe('NOT-VERIFIED');
      if (magic.code === '02' || magic.code === '03') expect(status).toBe('PENDING');
      if (magic.outcome === 'slow') expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(res.body.status).toBe(magic.code === '00');
    }
    // 00 ×3 (two doc values and slow) send the match; 02 and 03 send the result later; 01 and 07 send nothing
    await settle(sandbox, 5);
    // an absence: a webhook that should not be sent gets time to show itself
    await new Promise((resolve) => setTimeout(resolve, 150));
    const events = sandbox.dispatcher.list().map((d) => d.event);
    expect(events.sort()).toEqual([
      'verification.completed',
      'verification.completed',
      'verification.completed',
      'verification.payment_retry.completed',
      'verification.retry.completed',
    ]);
    const payment = sandbox.dispatcher.list().find((d) => d.event === 'verification.payment_retry.completed')!;
    expect(JSON.parse(payment.body.toString()).is_pending_payment_retry).toBe(true);
    expect(payment.key).toBe('live');
    // each delivery is signed with the key Prembly uses for its kind
    for (const got of app.received) {
      const key = /_retry"/.test(got.body.toString()) ? KEYS.livePublicKey : KEYS.publicKey;
      expect(got.headers['x-prembly-signature']).toBe(createHmac('sha256', key).update(got.body).digest('base64'));
      expect(got.headers.token).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('07 exists on BVN endpoints only; a sandbox identity number is a match with the same made-up identity each time', async () => {
    const { post } = await sandboxWithReceiver();
    expect((await post('/verification/vnin', { number: '00000000007' })).body.response_code).toBe('00');
    const one = await post('/verification/bvn', { number: '22211133344' });
    const two = await post('/api/v1/verification/bvn/', { number: '22211133344' });
    expect(one.body.data).toEqual(two.body.data);
    expect(one.body.data.middleName).toBe('SANDBOX');
    expect(one.body.verification.reference).not.toBe(two.body.verification.reference);
    const other = await post('/verification/bvn', { number: '22211133345' });
    expect(other.body.data).not.toEqual(one.body.data);
  });

  it('checks x-api-key and the body as the real API does, with its error shapes', async () => {
    const { post } = await sandboxWithReceiver({ apiKey: 'test_sk_the0right0key0000' });
    const refused = await post('/verification/bvn', { number: '1' }, { 'content-type': 'application/json' });
    expect(refused).toMatchObject({
      status: 401,
      body: { status: false, message: 'Unauthorized: invalid API key', errors: { 'x-api-key': ['missing'] } },
    });
    expect(refused.body.meta.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post('/verification/bvn', { number: '1' })).status).toBe(401); // key-shaped, but not --api-key
    const right = { 'x-api-key': 'test_sk_the0right0key0000', 'content-type': 'application/json' };
    expect(await post('/identitypass/verification/bvn_validation', {}, right)).toEqual({
      status: 400,
      body: { status: false, message: "Bad request: missing required field 'number'" },
    });
    expect((await post('/verification/national_passport', { number: 'A00400000' }, right)).body.message).toBe(
      "Bad request: missing required field 'last_name'",
    );
    expect((await post('/identitypass/verification/vnin', { number_nin: '12345678901' }, right)).body.response_code).toBe('00');
    expect((await post('/api/v1/verification/api/image_comparison/', { image_one: 'x', image_two: 'y' }, right)).body.confidence).toBe(100);
    expect((await post('/verification/bvn', '{not json', right)).status).toBe(400);
    expect((await post('/verification/no_such_product', { number: '1' }, right)).status).toBe(404);
  });

  it('the status endpoint follows a pending verification; SDK sessions complete, look up, and resend', async () => {
    const { sandbox, url, app, post } = await sandboxWithReceiver({ pendingDelayMs: 200 });
    const pending = await post('/verification/bvn', { number: '00000000002' });
    const ref = pending.body.verification.reference as string;
    const status = async () =>
      ((await (await fetch(`${url}/api/v1/verification/api/status/${ref}/`, { headers: API_KEY })).json()) as { data: { status: string } })
        .data.status;
    expect(await status()).toBe('PENDING');
    await settle(sandbox, 1);
    expect(await status()).toBe('VERIFIED');

    const session = sandbox.completeSession('customer-42');
    await settle(sandbox, 2);
    const sessionId = JSON.parse(session.body.toString()).session_id as string;
    const lookup = await fetch(`${url}/api/v1/checker-widget/sdk/sessions/${sessionId}/`, {
      headers: { ...API_KEY, 'x-organisation-id': 'org_1' },
    });
    expect(await lookup.json()).toMatchObject({
      status: true,
      detail: 'Session fetched successfully',
      response: { session_id: sessionId, user_ref: 'customer-42' },
    });
    expect((await fetch(`${url}/api/v1/checker-widget/sdk/sessions/${sessionId}/`, { headers: API_KEY })).status).toBe(400);

    const before = app.received.length;
    const resent = (await (
      await fetch(`${url}/__idpass/deliveries/${session.id}/resend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as {
      resend: boolean;
      status: number;
    };
    expect(resent).toMatchObject({ resend: true, status: 200 });
    expect(app.received).toHaveLength(before + 1);
    expect(app.received.at(-1)!.headers.token).toBe(app.received.at(-2)!.headers.token); // the same webhook again
  });

  it('the CLI: --numbers lists every magic number, a taken port is a usage error', async () => {
    const numbers = await runInProcess(['sandbox', '--numbers']);
    expect(numbers.stdout).toMatch(/^00000000002 {2}02 {2}the registry is down/m);
    expect(numbers.stdout.trim().split('\n')).toHaveLength(MAGIC_NUMBERS.length + 3);
    expect(numbers.stdout).toMatch(/any other well-formed number: 01, not found/);
    const { sandbox, url } = await sandboxWithReceiver();
    const port = new URL(url).port;
    const taken = await runInProcess(['sandbox', '--port', port]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/--port 0 picks a free one/);
    void sandbox;
  });

  it('retries as Prembly does per kind: an SDK session after any failure (5 attempts), a workflow run not after a plain 4xx', async () => {
    const { sandbox } = await sandboxWithReceiver({ timeScale: 36_000 }); // 30 min → 50 ms … 6 h → 600 ms
    const refuser = await scope.receiver(() => ({ status: 400, body: '{"error":"no"}' }));
    sandbox.setWebhookUrl(refuser.url);
    const session = sandbox.completeSession('customer-7');
    const run = sandbox.raise('workflow.process.completed');
    await new Promise<void>((resolve) => {
      const check = () => session.state === 'failed' && run.state === 'failed' && resolve();
      sandbox.on('fact', check);
    });
    expect(session.attempts.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    const gaps = session.attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(session.attempts[i]!.at));
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[3]).toBeGreaterThanOrEqual(590);
    expect(run.attempts).toHaveLength(1); // a 400 stops a workflow run's retries
  });

  it('bound to every interface, the admin API still answers only this machine', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    if (!external) return; // a machine with loopback only cannot reach itself from elsewhere
    const sandbox = createSandbox({ ...KEYS });
    const url = await sandbox.start({ port: 0, host: '0.0.0.0' });
    scope.defer(() => sandbox.close());
    const port = new URL(url).port;
    const remote = await fetch(`http://${external}:${port}/__idpass/deliveries`);
    expect(remote.status).toBe(403);
    const local = await fetch(`http://127.0.0.1:${port}/__idpass/deliveries`);
    expect(local.status).toBe(200);
    // the verification API itself answers (with its own key check), as a shared test box would want
    expect(
      (await fetch(`http://${external}:${port}/verification/bvn`, { method: 'POST', headers: API_KEY, body: '{"number":"54651333604"}' }))
        .status,
    ).toBe(200);
  });
});

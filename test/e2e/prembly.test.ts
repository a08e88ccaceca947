import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { postRaw, type Received } from '../helpers/receiver.js';
import { LIVE_SIGNED_KINDS } from '../helpers/prembly-doc.js';
import { testScope } from '../helpers/scope.js';
import { ALL_KINDS } from '../helpers/prembly-doc.js';

/**
 * Today's Prembly, end to end against the built bin: each kind signed with the key Prembly uses for
 * it, both keys on the receiving side, the pending → retry story, and the delivery rules.
 */

const SANDBOX = 'test_pk_prembly0e2e0sandbox0abcd';
const LIVE = 'live_pk_prembly0e2e0live0key0abcd';
const hmac = (body: Buffer | string, key: string) => createHmac('sha256', key).update(body).digest('base64');
const scope = testScope();

const LIVE_SIGNED = new Set(LIVE_SIGNED_KINDS);

/** A receiver that checks the HMAC over the raw bytes with the key the docs name for the body's kind. */
function keyChecking(kindOf: (req: Received) => string) {
  return (req: Received) => {
    const key = LIVE_SIGNED.has(kindOf(req)) ? LIVE : SANDBOX;
    return { status: req.headers['x-prembly-signature'] === hmac(req.body, key) ? 200 : 401, body: '{}' };
  };
}

const trigger = (args: string[]) => runInProcess(['trigger', ...args, '--public-key', SANDBOX, '--live-public-key', LIVE, '--json']);

describe('Prembly’s event catalog, sent and received (built binary)', () => {
  it('signs every kind with the key Prembly uses for it, as an independent receiver checks', async () => {
    const list = jsonLines((await runInProcess(['trigger', '--list', '--json'])).stdout).map((l) => String(l.event));
    expect([...list].sort()).toEqual([...ALL_KINDS].sort());
    let current = '';
    const r = await scope.receiver(keyChecking(() => current));
    for (const event of list) {
      current = event;
      const res = await trigger([event, '--to', r.url]);
      expect({ event, code: res.code, line: jsonLines(res.stdout)[0]?.status }).toEqual({ event, code: 0, line: 200 });
      expect(jsonLines(res.stdout)[0]!.key).toBe(LIVE_SIGNED.has(event) ? 'live' : 'sandbox');
    }
    expect(r.received).toHaveLength(ALL_KINDS.length);
  }, 60_000);

  it('--key overrides the key per kind', async () => {
    const r = await scope.receiver();
    expect((await trigger(['workflow.process.completed', '--key', 'sandbox', '--to', r.url])).code).toBe(0);
    expect(r.received[0]!.headers['x-prembly-signature']).toBe(hmac(r.received[0]!.body, SANDBOX));
  });

  it('listen given both keys says which matched; given only the sandbox key, explains a live-signed delivery', async () => {
    const both = await scope.listen(['--public-key', SANDBOX, '--live-public-key', LIVE]);
    await trigger(['verification.completed', '--to', `${both.url}/webhook`]);
    await trigger(['workflow.process.failed', '--to', `${both.url}/webhook`]);
    const [sdk, workflow] = await both.waitForDeliveries(2);
    expect(sdk).toMatchObject({ event: 'verification.completed', signature: { valid: true, key: 'sandbox' } });
    expect(workflow).toMatchObject({ event: 'workflow.process.failed', signature: { valid: true, key: 'live' } });

    const sandboxOnly = await scope.listen(['--public-key', SANDBOX]);
    await trigger(['workflow.process.failed', '--to', `${sandboxOnly.url}/webhook`]);
    const [explained] = await sandboxOnly.waitForDeliveries(1);
    expect(explained).toMatchObject({ signature: { valid: false, key: null, hint: { code: 'live-key' } } });
    expect(String((explained!.signature as { hint: { message: string } }).hint.message)).toMatch(/signed with your live key/);
  });

  it('listen and verify say what changed when neither key matches: a newline added, JSON re-serialised, a legacy scheme', async () => {
    const l = await scope.listen(['--public-key', SANDBOX]);
    const body = '{"status":true,"verification":{"status":"VERIFIED","reference":"n-1"},"billing_info":{"was_charged":true}}';
    const headers = (signedBody: string, token: string) => ({
      'content-type': 'application/json',
      'x-prembly-signature': hmac(signedBody, SANDBOX),
      token,
    });
    await postRaw(l.url, body + '\n', headers(body, 'nl'));
    await postRaw(l.url, JSON.stringify(JSON.parse(body), null, 2), headers(body, 're'));
    await postRaw(l.url, body, {
      'content-type': 'application/json',
      'x-identitypass-signature': Buffer.from(SANDBOX).toString('base64'),
      token: 'st',
    });
    const [newline, pretty, legacy] = await l.waitForDeliveries(3);
    expect(newline).toMatchObject({ signature: { valid: false, hint: { code: 'trailing-newline' } } });
    expect(pretty).toMatchObject({ signature: { valid: false, hint: { code: 're-serialised' } } });
    expect(legacy).toMatchObject({ signature: { valid: true, scheme: 'identitypass', hint: { code: 'legacy-scheme' } } });
  });

  it('--pending-via api prints the PENDING API answer and POSTs only the retry-flagged final', async () => {
    const r = await scope.receiver();
    const res = await trigger(['verification.completed', '--pending-first', '--pending-via', 'api', '--delay', '50ms', '--to', r.url]);
    expect(res.code).toBe(0);
    const [answer, final] = jsonLines(res.stdout);
    expect(answer).toMatchObject({ event: 'verification.pending', role: 'pending', shown: true, key: null, body: { response_code: '02' } });
    expect(final).toMatchObject({ event: 'verification.retry.completed', role: 'final', status: 200, key: 'live' });
    expect(r.received).toHaveLength(1);
    const got = JSON.parse(r.received[0]!.body.toString());
    expect(got).toMatchObject({
      is_callback_retry: true,
      verification: { reference: (answer!.body as { verification: { reference: string } }).verification.reference },
    });
  });

  it('--pending-reason payment and --reference tie a 03 answer and an is_pending_payment_retry final to the app’s reference', async () => {
    const api = await scope.receiver();
    const hooks = await scope.receiver();
    const res = await trigger([
      'verification.failed',
      '--pending-first',
      '--pending-via',
      'api',
      '--pending-to',
      api.url,
      '--pending-reason',
      'payment',
      '--reference',
      'app-ref-42',
      '--delay',
      '10ms',
      '--to',
      hooks.url,
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(api.received[0]!.body.toString())).toMatchObject({
      response_code: '03',
      verification: { status: 'PENDING', reference: 'app-ref-42' },
    });
    expect(api.received[0]!.headers['x-prembly-signature']).toBeUndefined();
    expect(JSON.parse(hooks.received[0]!.body.toString())).toMatchObject({
      is_pending_payment_retry: true,
      verification: { status: 'NOT-VERIFIED', reference: 'app-ref-42' },
    });
  });

  it('follows redirects for direct-API deliveries, and fails workflow runs on a 3xx', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        if (req.url === '/old') res.writeHead(308, { location: '/new' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const followed = await trigger(['verification.completed', '--to', `${base}/old`]);
    expect(followed.code).toBe(0);
    expect(jsonLines(followed.stdout)[0]).toMatchObject({ status: 200, redirects: [`${base}/new`] });
    expect(seen).toEqual(['POST /old', 'POST /new']);

    const workflow = await runInProcess(['trigger', 'workflow.process.completed', '--to', `${base}/old`]);
    expect(workflow.code).toBe(1);
    expect(workflow.stdout).toMatch(/308 expected 2xx/);
    expect(workflow.stdout).toMatch(/does not follow redirects for workflow runs/);
  });

  it('says truthfully what Prembly does not send', async () => {
    const r = await scope.receiver();
    const res = await runInProcess(['trigger', 'verification.failed', '--to', r.url]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/not sent by Prembly as a webhook for direct API calls/);
  });
});

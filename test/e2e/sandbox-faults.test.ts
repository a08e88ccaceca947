import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAX_KEPT } from '../../src/core/sandbox/dispatcher.js';
import { createSandbox } from '../../src/core/sandbox/sandbox.js';
import { runInProcess } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';

/** The sandbox's faults an adversarial run found: loops, a browser on the same machine, unbounded history, a hung shutdown. */
const scope = testScope();
const KEYS = { publicKey: 'test_pk_faults0sandbox0key0abc', livePublicKey: 'live_pk_faults0live0key0def' };
const API_KEY = { 'x-api-key': 'test_sk_faults0key0123', 'content-type': 'application/json' };

async function started(options: Partial<Parameters<typeof createSandbox>[0]> = {}) {
  const sandbox = createSandbox({ ...KEYS, pendingDelayMs: 50, ...options });
  const url = await sandbox.start({ port: 0 });
  scope.defer(() => sandbox.close());
  return { sandbox, url };
}

/** A raw request, so Host and Origin are exactly what a browser or a rebinding page would send. */
function request(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the sandbox admin API and a browser on the same machine', () => {
  it('refuses a foreign Host (DNS rebinding), a foreign or null Origin, and writes that are not JSON', async () => {
    const { sandbox, url } = await started();
    const port = new URL(url).port;
    const json = { 'content-type': 'application/json' };
    expect((await request(`${url}/__idpass/deliveries`, 'GET', { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await request(`${url}/__idpass/watchlist`, 'POST', { ...json, origin: 'https://evil.example' }, '{}')).status).toBe(403);
    expect((await request(`${url}/__idpass/watchlist`, 'POST', { ...json, origin: 'null' }, '{}')).status).toBe(403);
    // what a page can send without asking: a text/plain POST
    expect((await request(`${url}/__idpass/watchlist`, 'POST', { 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect(
      (await request(`${url}/__idpass/webhook-url`, 'PUT', { 'content-type': 'text/plain' }, '{"url":"http://x.example/"}')).status,
    ).toBe(415);
    expect(sandbox.dispatcher.list()).toHaveLength(0);
    expect(sandbox.webhookUrl).toBeNull();
    // this machine, as a person or a script calls it, still works
    expect((await request(`${url}/__idpass/watchlist`, 'POST', { ...json, origin: `http://127.0.0.1:${port}` }, '{}')).status).toBe(201);
    expect((await request(`${url}/__idpass/deliveries`, 'GET', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a webhook URL pointed at its own admin API is refused (library, admin API and flag); a signed request never drives it', async () => {
    const { sandbox, url } = await started();
    expect(() => sandbox.setWebhookUrl(`${url}/__idpass/watchlist`)).toThrow(/would loop/);
    const put = await request(
      `${url}/__idpass/webhook-url`,
      'PUT',
      { 'content-type': 'application/json' },
      JSON.stringify({ url: `${url}/__idpass/workflows` }),
    );
    expect(put.status).toBe(400);
    const signed = await request(
      `${url}/__idpass/watchlist`,
      'POST',
      { 'content-type': 'application/json', 'x-prembly-signature': 'x', token: 't' },
      '{}',
    );
    expect(signed.status).toBe(403);
    const flag = await runInProcess(['sandbox', '--port', '0', '--webhook-url', 'http://127.0.0.1:4568/__idpass/watchlist']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/would loop/);
  });
});

describe('bounded input and history', () => {
  it('a 15 MB number is a 400, not reflected back; the history keeps the newest deliveries only', async () => {
    const { sandbox, url } = await started();
    const huge = await fetch(`${url}/identitypass/verification/bvn`, {
      method: 'POST',
      headers: API_KEY,
      body: JSON.stringify({ number: '1'.repeat(15_000_000) }),
    });
    expect(huge.status).toBe(400);
    const text = await huge.text();
    expect(text.length).toBeLessThan(500);
    expect(text).toMatch(/"response_code":"05".*Invalid request data: not an identity number/);
    // no webhook URL: each one settles at its first attempt, and the history must not keep them all
    for (let i = 0; i < MAX_KEPT + 50; i++) {
      sandbox.raise('watchlist.identity_flagged');
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let tries = 0; sandbox.dispatcher.list().some((d) => d.state === 'scheduled') && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    sandbox.raise('watchlist.identity_flagged');
    expect(sandbox.dispatcher.list().length).toBeLessThanOrEqual(MAX_KEPT);
  });
});

describe('shutdown with a retried kind in flight', () => {
  it('cancels the retry instead of scheduling it after close, and says it was cancelled', async () => {
    // an app that takes its time and then fails: the attempt is in flight when the sandbox stops
    const app = http.createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(500).end(), 300);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => app.close(resolve)));
    const address = app.address() as { port: number };
    const { sandbox } = await started({ webhookUrl: `http://127.0.0.1:${address.port}/hook` });
    const reached = new Promise<void>((resolve) => app.once('request', () => resolve()));
    const session = sandbox.completeSession('user-1', 'VERIFIED'); // SDK sessions are retried after any failure
    await reached;
    const cancelled = await sandbox.close();
    expect(cancelled.map((d) => d.id)).toContain(session.id);
    expect(session.state).toBe('cancelled');
    expect(session.nextAt).toBeNull();
  });
});

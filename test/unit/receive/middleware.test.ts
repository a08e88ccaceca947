import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createListener, identitypassWebhook, MOUNT_FIRST_MESSAGE, sign, verify, type IdentitypassRequest } from '../../../src/index.js';
import { postRaw } from '../../helpers/receiver.js';

const KEY = 'test_pk_middleware0key0abcd';
const BODY = JSON.stringify({ status: true, response_code: '00', verification: { status: 'VERIFIED', reference: 'mw-1' } });
const hmac = (body: string) => createHmac('sha256', KEY).update(body).digest('base64');

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

async function app(setup: (a: express.Express) => void): Promise<string> {
  const a = express();
  setup(a);
  // errors reach the app's own error handler, as in a real app
  a.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  const server = a.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

const echo = (req: express.Request, res: express.Response) => {
  const r = req as IdentitypassRequest;
  res.json({
    body: req.body,
    scheme: r.identitypass.verification.scheme,
    event: r.identitypass.classification.event,
    raw: r.identitypass.rawBody.length,
    duplicate: r.identitypass.duplicate,
  });
};

describe('identitypassWebhook (real express app on loopback)', () => {
  it('lets a correctly signed delivery through with the parsed body and the verification', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY }), echo));
    const reply = await postRaw(url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 't1' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      body: JSON.parse(BODY),
      scheme: 'prembly-hmac',
      event: 'verification.completed',
      raw: BODY.length,
      duplicate: false,
    });
  });

  it('answers 401 with the reason for a missing, wrong or tampered signature', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY }), echo));
    const missing = await postRaw(url, BODY, { 'content-type': 'application/json', token: 'a' });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text)).toMatchObject({ reason: 'missing-signature' });
    const tampered = await postRaw(url, BODY.replace('VERIFIED', 'NOT-VERIFIED'), {
      'content-type': 'application/json',
      'x-prembly-signature': hmac(BODY),
      token: 'b',
    });
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.text)).toMatchObject({ reason: 'body-mismatch' });
  });

  it('answers a repeated token 200 without running the handler again; 409 only when asked; through, flagged, when allowed', async () => {
    let calls = 0;
    const once = await app((a) =>
      a.post('/hook', identitypassWebhook({ publicKey: KEY }), (req, res) => {
        calls++;
        echo(req, res);
      }),
    );
    const headers = { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'same' };
    expect((await postRaw(once, BODY, headers)).status).toBe(200);
    expect(await postRaw(once, BODY, headers)).toEqual({ status: 200, text: '{"received":true,"duplicate":true}' });
    expect(calls).toBe(1);

    const strict = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, onDuplicate: 'reject' }), echo));
    expect((await postRaw(strict, BODY, headers)).status).toBe(200);
    expect((await postRaw(strict, BODY, headers)).status).toBe(409);

    const lenient = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, onDuplicate: 'allow' }), echo));
    await postRaw(lenient, BODY, headers);
    const again = await postRaw(lenient, BODY, headers);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text).duplicate).toBe(true);
  });

  it('can refuse the static schemes', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, schemes: ['prembly-hmac'] }), echo));
    const { headers } = sign({ body: BODY, publicKey: KEY, scheme: 'identitypass' });
    const reply = await postRaw(url, BODY, headers);
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toMatchObject({ reason: 'scheme-not-allowed' });
  });

  it('accepts deliveries signed with the live key when given one, and says which key matched', async () => {
    const LIVE = 'live_pk_middleware0live0abcd';
    const url = await app((a) =>
      a.post('/hook', identitypassWebhook({ publicKey: KEY, livePublicKey: LIVE }), (req, res) => {
        res.json({ key: (req as IdentitypassRequest).identitypass.verification.key });
      }),
    );
    const live = sign({ body: BODY, publicKey: LIVE, token: 'live-1' });
    expect(await postRaw(url, BODY, live.headers)).toEqual({ status: 200, text: '{"key":"live"}' });
    const sandboxOnly = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY }), echo));
    expect((await postRaw(sandboxOnly, BODY, { ...live.headers, token: 'live-2' })).status).toBe(401);
  });

  it('counts a token as handled only once the handler answered 2xx: a failed handler gets its retry', async () => {
    let calls = 0;
    const url = await app((a) =>
      a.post('/hook', identitypassWebhook({ publicKey: KEY }), (_req, res) => {
        calls++;
        res.sendStatus(calls === 1 ? 500 : 200);
      }),
    );
    const headers = { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'retry-me' };
    expect((await postRaw(url, BODY, headers)).status).toBe(500);
    expect((await postRaw(url, BODY, headers)).status).toBe(200);
    expect((await postRaw(url, BODY, headers)).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('accepts only the HMAC scheme and only with a token by default; both can be loosened', async () => {
    const strict = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY }), echo));
    const legacy = sign({ body: BODY, publicKey: KEY, scheme: 'identitypass' });
    expect((await postRaw(strict, BODY, legacy.headers)).status).toBe(401);
    const { token: _token, ...tokenless } = sign({ body: BODY, publicKey: KEY }).headers;
    const reply = await postRaw(strict, BODY, tokenless);
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toEqual({ error: 'no token header', reason: 'missing-token' });
    const loose = await app((a) =>
      a.post('/hook', identitypassWebhook({ publicKey: KEY, schemes: ['prembly-hmac', 'identitypass'], requireToken: false }), echo),
    );
    expect((await postRaw(loose, BODY, legacy.headers)).status).toBe(200);
    expect((await postRaw(loose, BODY, tokenless)).status).toBe(200);
  });

  it('says why a signature failed without showing any part of a key', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, schemes: ['identitypass'] }), echo));
    const { headers } = sign({ body: BODY, publicKey: 'test_pk_someone0else0wxyz', scheme: 'identitypass' });
    const reply = await postRaw(url, BODY, headers);
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toEqual({ error: 'invalid Identitypass signature', reason: 'wrong-key' });
    expect(reply.text).not.toMatch(/abcd|wxyz|test_pk/);
  });

  it('takes the keys from IDPASS_PUBLIC_KEY and IDPASS_LIVE_PUBLIC_KEY when none is passed', async () => {
    const saved = { sandbox: process.env.IDPASS_PUBLIC_KEY, live: process.env.IDPASS_LIVE_PUBLIC_KEY };
    process.env.IDPASS_PUBLIC_KEY = KEY;
    process.env.IDPASS_LIVE_PUBLIC_KEY = 'live_pk_from0the0environment';
    try {
      const url = await app((a) =>
        a.post('/hook', identitypassWebhook(), (req, res) => res.json({ key: req.identitypass?.verification.key })),
      );
      const live = sign({ body: BODY, publicKey: 'live_pk_from0the0environment', token: 'env-1' });
      expect(await postRaw(url, BODY, live.headers)).toEqual({ status: 200, text: '{"key":"live"}' });
    } finally {
      if (saved.sandbox === undefined) delete process.env.IDPASS_PUBLIC_KEY;
      else process.env.IDPASS_PUBLIC_KEY = saved.sandbox;
      if (saved.live === undefined) delete process.env.IDPASS_LIVE_PUBLIC_KEY;
      else process.env.IDPASS_LIVE_PUBLIC_KEY = saved.live;
    }
  });

  it('refuses an empty key everywhere', () => {
    expect(() => identitypassWebhook({ publicKey: ' ' })).toThrow(TypeError);
    expect(() => verify({ body: BODY, headers: {}, publicKey: '' })).toThrow(TypeError);
    expect(() => createListener({ publicKey: '' })).toThrow(TypeError);
  });

  it('tells the developer to mount it before express.json() instead of failing silently', async () => {
    const url = await app((a) => a.post('/hook', express.json(), identitypassWebhook({ publicKey: KEY }), echo));
    const reply = await postRaw(url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'c' });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text).error).toBe(MOUNT_FIRST_MESSAGE);
    expect(JSON.parse(reply.text).error).toMatch(/before any body parser/);
  });

  it('works after express.raw(), which keeps the exact bytes', async () => {
    const url = await app((a) => a.post('/hook', express.raw({ type: '*/*' }), identitypassWebhook({ publicKey: KEY }), echo));
    const reply = await postRaw(url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'd' });
    expect(reply.status).toBe(200);
  });

  it('answers 413 past maxBodyBytes and 400 to a signed body that is not JSON', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, maxBodyBytes: 100 }), echo));
    const big = JSON.stringify({ pad: 'x'.repeat(200) });
    expect((await postRaw(url, big, { 'x-prembly-signature': hmac(big), token: 'e' })).status).toBe(413);
    const notJson = 'status=true';
    expect((await postRaw(url, notJson, { 'x-prembly-signature': hmac(notJson), token: 'f' })).status).toBe(400);
  });

  it('refuses to be built without a key', () => {
    expect(() => identitypassWebhook({ publicKey: '' })).toThrow(/public key/);
  });

  it('rememberTokens: 0 remembers none (every repeat is answered as new); a negative or fractional count is refused', async () => {
    const url = await app((a) => a.post('/hook', identitypassWebhook({ publicKey: KEY, rememberTokens: 0 }), echo));
    const headers = { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'same-token' };
    for (let i = 0; i < 3; i++) expect((await postRaw(url, BODY, headers)).status).toBe(200);
    expect(() => identitypassWebhook({ publicKey: KEY, rememberTokens: -1 })).toThrow(/whole number/);
    expect(() => identitypassWebhook({ publicKey: KEY, rememberTokens: 0.5 })).toThrow(/whole number/);
  });

  it('a retry that comes while the first attempt is still in the handler is let through (flagged), not refused with 409', async () => {
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const url = await app((a) =>
      a.post('/hook', identitypassWebhook({ publicKey: KEY }), async (req, res) => {
        calls++;
        if (calls === 1) await firstHeld;
        res.json({ duplicate: (req as IdentitypassRequest).identitypass.duplicate });
      }),
    );
    const headers = { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'slow-token' };
    const first = postRaw(url, BODY, headers);
    try {
      while (calls < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const retry = await postRaw(url, BODY, headers);
      expect(retry.status).toBe(200);
      expect(JSON.parse(retry.text)).toEqual({ duplicate: true });
    } finally {
      release();
    }
    expect((await first).status).toBe(200);
    // handled now: a later repeat is acknowledged without running the handler
    expect(await postRaw(url, BODY, headers)).toEqual({ status: 200, text: '{"received":true,"duplicate":true}' });
    expect(calls).toBe(2);
  });
});

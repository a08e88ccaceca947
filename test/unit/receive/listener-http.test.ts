import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createListener, type Delivery, type Listener } from '../../../src/index.js';

const KEY = 'test_pk_listener0http0abcd';
const BODY = JSON.stringify({ status: true, response_code: '00', verification: { status: 'VERIFIED', reference: 'lh-1' } });
const signed = (body: string, token: string) => ({
  'content-type': 'application/json',
  'x-prembly-signature': createHmac('sha256', KEY).update(body).digest('base64'),
  token,
});

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function completed(listener: Listener): Delivery[] {
  const seen: Delivery[] = [];
  listener.on('fact', (fact) => {
    if (fact.type === 'completed') seen.push(fact.delivery);
  });
  return seen;
}

/** The listener's own server, and its express app mounted under /idpass in someone else's app. */
async function bothWays(maxBodyBytes?: number) {
  const own = createListener({ publicKey: KEY, store: null, maxBodyBytes });
  const { url } = await own.start({ port: 0 });
  closers.push(() => own.close());
  const mounted = createListener({ publicKey: KEY, store: null, maxBodyBytes });
  const host = express();
  host.use('/idpass', mounted.app);
  const server: Server = host.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return [
    { name: 'own server', listener: own, base: url, path: '/hook' },
    {
      name: 'mounted app',
      listener: mounted,
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/idpass`,
      path: '/idpass/hook',
    },
  ];
}

describe('the listener answers the same on its own server (deliveries past express routing) and mounted as an express app', () => {
  it('records, verifies and answers a delivery, a GET, a DELETE, a body that is not JSON and one over the limit alike', async () => {
    for (const way of await bothWays(200)) {
      const seen = completed(way.listener);
      const ok = await fetch(`${way.base}/hook?x=1`, { method: 'POST', headers: signed(BODY, `t-${way.name}`), body: BODY });
      expect([way.name, ok.status, ok.headers.get('content-type'), await ok.json()]).toEqual([
        way.name,
        200,
        'application/json; charset=utf-8',
        { received: true },
      ]);
      expect(seen[0]!.path).toBe(`${way.path}?x=1`);
      expect(seen[0]!.verification.valid).toBe(true);
      expect(seen[0]!.classification.reference).toBe('lh-1');

      const info = await fetch(`${way.base}/`);
      expect([way.name, info.status, ((await info.json()) as { idpass: string }).idpass]).toEqual([way.name, 200, 'listening']);
      const wrong = await fetch(`${way.base}/hook`, { method: 'DELETE' });
      expect([way.name, wrong.status, wrong.headers.get('allow')]).toEqual([way.name, 405, 'POST, GET']);

      const notJson = await fetch(`${way.base}/hook`, { method: 'PUT', headers: signed('a=1', 'nj'), body: 'a=1' });
      expect([way.name, notJson.status, ((await notJson.json()) as { error: string }).error]).toEqual([
        way.name,
        400,
        expect.stringMatching(/not JSON/),
      ]);

      const big = JSON.stringify({ pad: 'x'.repeat(400) });
      const tooBig = await fetch(`${way.base}/hook`, { method: 'POST', headers: signed(big, 'tb'), body: big });
      expect([way.name, tooBig.status, tooBig.headers.get('connection')]).toEqual([way.name, 413, 'close']);
      expect(seen.map((d) => d.answerStatus)).toEqual([200, 400, 413]);
    }
  });
});

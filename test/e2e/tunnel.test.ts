import { createHmac } from 'node:crypto';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningListen } from '../helpers/listen.js';
import { freePort, postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import { storedDeliveries } from '../helpers/store.js';
import { TunnelServer, viaTunnel } from '../helpers/tunnel-server.js';

const KEY = 'test_pk_tunnel0e2e0key0qrst';
const hmac = (body: string | Buffer) => createHmac('sha256', KEY).update(body).digest('base64');
const signed = (body: string | Buffer, token = `tok-${Math.random()}`) => ({
  'content-type': 'application/json',
  'x-prembly-signature': hmac(body),
  token,
});

let server: TunnelServer;

beforeAll(async () => {
  server = new TunnelServer(await freePort());
  await server.start();
}, 30_000);
afterAll(() => server.stop());
const scope = testScope();
afterEach(async () => {
  await server.start(); // a test that stopped the server gets it back
});
const listen = (args: string[]): Promise<RunningListen> => scope.listen(['--public-key', KEY, ...args]);
const receiver = scope.receiver;
const tunnelUp = (l: RunningListen) => l.waitForLine((x) => x.type === 'tunnel-up', 15_000);

describe('the tunnel (a real localtunnel server on loopback)', () => {
  it('carries a signed delivery to the listener: verified, recorded, forwarded byte-identical', async () => {
    const app = await receiver();
    const l = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-one', '--forward-to', app.url]);
    const up = await tunnelUp(l);
    expect(up.url).toBe('http://idpass-e2e-one.localhost');
    expect(up.subdomainGranted).toBe(true);
    await l.waitForStderr(/It is public/);
    expect(l.stderr()).toContain('http://idpass-e2e-one.localhost/webhook');

    // a large body with multi-byte characters, so chunk boundaries fall inside characters
    const body = JSON.stringify({
      verification: { status: 'VERIFIED', reference: 'tun-1' },
      data: { firstName: 'Ọláńrewájú', notes: 'ẹ̀ 🙂 '.repeat(20_000) },
    });
    const { url, host } = viaTunnel(server, String(up.url));
    const reply = await postRaw(url, body, { ...signed(body), host });
    expect(reply.status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({
      event: 'verification.completed',
      signature: { valid: true, scheme: 'prembly-hmac' },
      forward: { status: 200 },
    });
    expect(app.received).toHaveLength(1);
    expect(app.received[0]!.body.equals(Buffer.from(body))).toBe(true);
    expect(Buffer.from(storedDeliveries(l.home)[0]!.body, 'base64').equals(Buffer.from(body))).toBe(true);
  });

  it('carries 50 concurrent deliveries, each exactly once', async () => {
    const l = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-fifty']);
    const up = await tunnelUp(l);
    const { url, host } = viaTunnel(server, String(up.url));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const body = JSON.stringify({ verification: { status: 'PENDING', reference: 'p' } });
    const tokens = Array.from({ length: 50 }, (_, i) => `tunnel-${i}`);
    const replies = await Promise.all(tokens.map((t) => postRaw(url, body, { ...signed(body, t), host }, agent)));
    agent.destroy();
    expect(replies.map((r) => r.status)).toEqual(tokens.map(() => 200));
    await l.waitForDeliveries(50, 20_000);
    const seen = storedDeliveries(l.home).map((r) => r.verification.token);
    expect(seen.sort()).toEqual([...tokens].sort());
  }, 40_000);

  it('reports an outage when the server restarts and restores a working URL within 10 s', async () => {
    const l = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-restart']);
    await tunnelUp(l);
    await server.stop();
    const down = await l.waitForLine((x) => x.type === 'tunnel-down', 20_000);
    expect(String(down.cause)).not.toBe('');
    await server.start();
    const restored = await l.waitForLine((x) => x.type === 'tunnel-restored', 15_000);
    // the promise of "back within 10 s of the server": no retry is ever scheduled further apart
    // than the backoff cap (8 s, +20% jitter)
    const retries = l.lines.filter((x) => x.type === 'tunnel-unavailable').map((x) => Number(x.retryInMs));
    for (const wait of retries) expect(wait).toBeLessThanOrEqual(9_600);
    expect(restored).toMatchObject({ url: 'http://idpass-e2e-restart.localhost', urlChanged: false });
    await l.waitForStderr(/tunnel down: [\s\S]*tunnel restored after /);
    const body = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'after' } });
    const { url, host } = viaTunnel(server, String(restored.url));
    expect((await postRaw(url, body, { ...signed(body), host })).status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d!.reference).toBe('after');
  }, 60_000);

  it('serves locally and says why when no tunnel server can be reached', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const l = await listen(['--tunnel-host', nowhere]);
    const unavailable = await l.waitForLine((x) => x.type === 'tunnel-unavailable');
    expect(String(unavailable.cause)).toMatch(/connection refused/);
    await l.waitForStderr(/tunnel unavailable: .*connection refused.*\n.*the local listener keeps serving/);
    const body = JSON.stringify({ verification: { status: 'VERIFIED' } });
    expect((await postRaw(l.url, body, signed(body))).status).toBe(200);
    await l.waitForDeliveries(1);
    expect(l.child.exitCode).toBeNull();
  });

  it('announces the URL once a tunnel server appears after start', async () => {
    const late = new TunnelServer(await freePort());
    scope.defer(() => late.stop());
    const l = await listen(['--tunnel-host', late.url, '--subdomain', 'idpass-e2e-late']);
    await l.waitForLine((x) => x.type === 'tunnel-unavailable');
    await late.start();
    const up = await l.waitForLine((x) => x.type === 'tunnel-up', 15_000);
    expect(up.url).toBe('http://idpass-e2e-late.localhost');
  }, 30_000);

  it('warns when the subdomain is taken by another client', async () => {
    const first = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-taken']);
    await tunnelUp(first);
    const second = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-taken']);
    const up = await tunnelUp(second);
    expect(up.subdomainGranted).toBe(false);
    expect(up.url).not.toBe('http://idpass-e2e-taken.localhost');
    await second.waitForStderr(/asked for the subdomain "idpass-e2e-taken" but the tunnel server gave/);
  });

  it('answers 502 through the tunnel when the app behind it is down, instead of hanging', async () => {
    const l = await listen([
      '--tunnel-host',
      server.url,
      '--subdomain',
      'idpass-e2e-appdown',
      '--forward-to',
      `http://127.0.0.1:${await freePort()}/hook`,
    ]);
    const up = await tunnelUp(l);
    const body = JSON.stringify({ verification: { status: 'VERIFIED' } });
    const { url, host } = viaTunnel(server, String(up.url));
    const reply = await postRaw(url, body, { ...signed(body), host });
    expect(reply.status).toBe(502);
    const [d] = await l.waitForDeliveries(1);
    expect(d!.forward).toMatchObject({ status: 502, answered: false });
  });

  it('never shows or stores its own health probes', async () => {
    const l = await listen(['--tunnel-host', server.url, '--subdomain', 'idpass-e2e-probe']);
    await tunnelUp(l);
    expect(l.lines.filter((x) => x.type === 'delivery')).toHaveLength(0);
    expect(storedDeliveries(l.home)).toHaveLength(0);
  });
});

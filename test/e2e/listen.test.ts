import { createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/run-command.js';
import { startListen, tempHome, type RunningListen } from '../helpers/listen.js';
import { freePort, postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import { readStoreLines, storedDeliveries } from '../helpers/store.js';

const KEY = 'test_pk_listen0e2e0key0mnop';
const LIVE = 'live_pk_listen0e2e0live0key0mnop';
const hmac = (body: string | Buffer, key = KEY) => createHmac('sha256', key).update(body).digest('base64');
const BODY = JSON.stringify({
  status: true,
  response_code: '00',
  verification: { status: 'VERIFIED', reference: 'ref-1' },
  endpoint_name: 'BVN Basic',
  data: { bvn: '22200000001', firstName: 'ADA', phoneNumber1: '08000000001' },
});
const signed = (body = BODY, token = `tok-${Math.random()}`) => ({
  'content-type': 'application/json',
  'x-prembly-signature': hmac(body),
  token,
});

const scope = testScope();
const listen = (args: string[] = [], options: Parameters<typeof startListen>[1] = {}): Promise<RunningListen> =>
  scope.listen(['--public-key', KEY, ...args], options);
const receiver = scope.receiver;

describe('idpass listen (built binary, real processes on loopback)', () => {
  it('trigger → listen --forward-to → app: byte-identical bodies, headers kept, every delivery explained and stored', async () => {
    const app = await receiver();
    const l = await listen(['--forward-to', app.url, '--live-public-key', LIVE]);
    const res = await runInProcess([
      'trigger',
      'verification.completed',
      '--pending-first',
      '--delay',
      '50ms',
      '--scheme',
      'prembly-hmac',
      '--public-key',
      KEY,
      '--live-public-key',
      LIVE,
      '--to',
      `${l.url}/webhook`,
      '--json',
    ]);
    expect(res.code).toBe(0);
    const [pending, final] = await l.waitForDeliveries(2);
    expect(app.received).toHaveLength(2);
    for (const [i, got] of app.received.entries()) {
      expect(got.headers['x-prembly-signature']).toBe(hmac(got.body, i === 0 ? KEY : LIVE));
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.url).toBe('/webhook');
    }
    const stored = storedDeliveries(l.home);
    expect(stored).toHaveLength(2);
    stored.forEach((record, i) => {
      expect(Buffer.from(record.body, 'base64').equals(app.received[i]!.body)).toBe(true);
      expect(record.headers.find(([n]: [string]) => n.toLowerCase() === 'token')[1]).toBe(app.received[i]!.headers.token);
    });
    expect(pending).toMatchObject({
      event: 'verification.pending',
      identityStatus: 'PENDING',
      responseCode: '02',
      retry: false,
      signature: { valid: true, scheme: 'prembly-hmac', weak: false, key: 'sandbox' },
    });
    expect(final).toMatchObject({
      event: 'verification.retry.completed',
      signature: { valid: true, key: 'live' },
      identityStatus: 'VERIFIED',
      responseCode: '00',
      responseMeaning: 'success',
      product: 'BVN Basic',
      retry: true,
      forward: { status: 200, answered: true, warning: null },
    });
    expect(final!.reference).toBe(pending!.reference);
    const outcomes = readStoreLines(l.home).filter((x) => x.kind === 'outcome');
    expect(outcomes.map((o) => o.forward.status)).toEqual([200, 200]);
  });

  it('answers 200 {"received":true} without --forward-to, and reports the path', async () => {
    const l = await listen();
    const reply = await postRaw(`${l.url}/hooks/identitypass?x=1`, BODY, signed());
    expect(reply).toEqual({ status: 200, text: '{"received":true}' });
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({ path: '/hooks/identitypass?x=1', method: 'POST', answerStatus: 200, forward: null });
  });

  it('explains every kind of bad signature', async () => {
    const l = await listen();
    const truncated = hmac(BODY).slice(0, 30);
    await postRaw(l.url, BODY, { 'content-type': 'application/json', token: 'a' });
    await postRaw(l.url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY, 'test_pk_other'), token: 'b' });
    await postRaw(l.url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': truncated, token: 'c' });
    await postRaw(l.url, BODY.replace('ADA', 'EVE'), { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'd' });
    await postRaw(l.url, BODY, {
      'content-type': 'application/json',
      'x-identitypass-signature': Buffer.from('test_pk_someone0else0abcd').toString('base64'),
      token: 'e',
    });
    await postRaw(l.url, BODY, {
      'content-type': 'application/json',
      'X-IdentityPass-Signature': Buffer.from(KEY).toString('base64'),
      token: 'f',
    });
    const ds = await l.waitForDeliveries(6);
    expect(ds.map((d) => (d.signature as { reason: string }).reason)).toEqual([
      'missing-signature',
      'body-mismatch',
      'malformed-signature',
      'body-mismatch',
      'wrong-key',
      'valid',
    ]);
    expect((ds[4]!.signature as { message: string }).message).toMatch(
      /signed with a different public key \(test_pk_…\S* #[0-9a-f]{4}, expected test_pk_…\S* #[0-9a-f]{4}/,
    );
    expect(ds[5]!.signature).toMatchObject({ valid: true, weak: true, scheme: 'identitypass' });
    expect(ds.every((d) => d.answerStatus === 200)).toBe(true);
  });

  it('flags a duplicate token', async () => {
    const l = await listen();
    const headers = signed(BODY, 'same-token');
    await postRaw(l.url, BODY, headers);
    await postRaw(l.url, BODY, headers);
    const [first, second] = await l.waitForDeliveries(2);
    expect(first!.duplicate).toBe(false);
    expect(second!.duplicate).toBe(true);
  });

  it('answers 400 to invalid JSON and an empty body, records and reports both', async () => {
    const l = await listen();
    expect((await postRaw(l.url, '{"status": tru', signed('{"status": tru'))).status).toBe(400);
    expect((await postRaw(l.url, '', signed(''))).status).toBe(400);
    const [bad, empty] = await l.waitForDeliveries(2);
    expect(bad!.jsonError).toMatch(/not JSON/);
    expect(empty!.jsonError).toMatch(/empty/);
    expect(bad!.signature).toMatchObject({ valid: true });
    const stored = storedDeliveries(l.home);
    expect(stored.map((s) => Buffer.from(s.body, 'base64').toString())).toEqual(['{"status": tru', '']);
  });

  it('accepts a JSON body with a non-JSON content type, with a note', async () => {
    const l = await listen();
    const reply = await postRaw(l.url, BODY, { ...signed(), 'content-type': 'text/plain' });
    expect(reply.status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d!.event).toBe('verification.completed');
    expect(d!.notes).toEqual(['content-type is text/plain (Identitypass sends application/json)']);
  });

  it('answers 413 over --max-body (recorded without the body) and accepts a body just under it', async () => {
    const l = await listen(['--max-body', '1kb']);
    const shell = JSON.stringify({ verification: { status: 'VERIFIED' }, pad: '' });
    const under = JSON.stringify({ verification: { status: 'VERIFIED' }, pad: 'x'.repeat(1024 - shell.length) });
    expect(Buffer.byteLength(under)).toBe(1024);
    const over = under + ' ';
    expect((await postRaw(l.url, under, signed(under))).status).toBe(200);
    expect((await postRaw(l.url, over, signed(over))).status).toBe(413);
    const [ok, big] = await l.waitForDeliveries(2);
    expect(ok!.tooLarge).toBe(false);
    expect(big).toMatchObject({ tooLarge: true, answerStatus: 413, size: 1025 });
    const stored = storedDeliveries(l.home);
    expect(stored[1]).toMatchObject({ tooLarge: true, body: null, size: 1025 });
  });

  it('answers 502 when the app is down, and still stores the delivery', async () => {
    const port = await freePort();
    const l = await listen(['--forward-to', `http://127.0.0.1:${port}/hook`]);
    const reply = await postRaw(l.url, BODY, signed());
    expect(reply.status).toBe(502);
    expect(reply.text).toContain('could not be reached');
    const [d] = await l.waitForDeliveries(1);
    expect(d!.forward).toMatchObject({ status: 502, answered: false });
    expect(storedDeliveries(l.home)).toHaveLength(1);
  });

  it('answers 504 when the app is slower than --forward-timeout', async () => {
    const app = await receiver(() => ({ status: 200, delayMs: 3000 }));
    const l = await listen(['--forward-to', app.url, '--forward-timeout', '300ms']);
    const reply = await postRaw(l.url, BODY, signed());
    expect(reply.status).toBe(504);
    const [d] = await l.waitForDeliveries(1);
    expect(d!.forward).toMatchObject({ status: 504, answered: false });
    expect((d!.forward as { warning: string }).warning).toMatch(/10 s/);
  });

  it('passes the app’s 201 back to the sender with a warning', async () => {
    const app = await receiver(() => ({ status: 201, body: '{"created":1}' }));
    const l = await listen(['--forward-to', app.url]);
    const reply = await postRaw(l.url, BODY, signed());
    expect(reply).toEqual({ status: 201, text: '{"created":1}' });
    const [d] = await l.waitForDeliveries(1);
    expect((d!.forward as { warning: string }).warning).toMatch(/only exactly 200/);
    expect((d!.forward as { reply: string }).reply).toBe('{"created":1}');
  });

  it('survives a client that aborts mid-body and stores nothing of it', async () => {
    const l = await listen();
    await new Promise<void>((resolve) => {
      const socket = net.connect(l.port, '127.0.0.1', () => {
        socket.write(
          'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"status": true, "da',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await postRaw(l.url, BODY, signed())).status).toBe(200);
    const ds = await l.waitForDeliveries(1);
    expect(ds).toHaveLength(1);
    expect(storedDeliveries(l.home)).toHaveLength(1);
    expect(l.child.exitCode).toBeNull();
  });

  it('stores and forwards 500 concurrent deliveries exactly once each', async () => {
    const app = await receiver();
    const l = await listen(['--forward-to', app.url]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
    const tokens = Array.from({ length: 500 }, (_, i) => `burst-${i}`);
    const replies = await Promise.all(tokens.map((t) => postRaw(l.url, BODY, signed(BODY, t), agent)));
    agent.destroy();
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await l.waitForDeliveries(500, 30_000);
    const stored = storedDeliveries(l.home).map((r) => r.verification.token);
    expect(stored).toHaveLength(500);
    expect(new Set(stored)).toEqual(new Set(tokens));
    expect(new Set(app.received.map((r) => r.headers.token))).toEqual(new Set(tokens));
    expect(app.received).toHaveLength(500);
  }, 60_000);

  it('keeps answering and showing deliveries when the store cannot be written, with one clear error', async () => {
    const base = tempHome();
    writeFileSync(join(base, 'a-file'), 'not a folder');
    const l = await listen([], { home: join(base, 'a-file', 'idpass') });
    expect((await postRaw(l.url, BODY, signed())).status).toBe(200);
    expect((await postRaw(l.url, BODY, signed())).status).toBe(200);
    const ds = await l.waitForDeliveries(2);
    expect(ds.every((d) => d.stored === false)).toBe(true);
    await l.waitForStderr(/error: cannot use the store/);
    expect(l.stderr().match(/error: /g)).toHaveLength(1);
  });

  it('skips a corrupt line in an existing store with a warning and keeps appending', async () => {
    const home = tempHome();
    const good = JSON.stringify({
      kind: 'delivery',
      v: 1,
      id: 'old-1',
      receivedAt: new Date().toISOString(),
      method: 'POST',
      path: '/',
      headers: [],
      body: '',
      size: 0,
      verification: { token: 'old-token' },
    });
    writeFileSync(join(home, 'deliveries.ndjson'), `${good}\n{"kind":"delivery","id":"trunc\n`);
    const l = await listen([], { home });
    await l.waitForStderr(/1 unreadable line \(line 2\)/);
    await postRaw(l.url, BODY, signed(BODY, 'old-token'));
    const [d] = await l.waitForDeliveries(1);
    expect(d!.duplicate).toBe(true);
    const lines = readFileSync(join(l.home, 'deliveries.ndjson'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!).id).toBe(d!.id);
  });

  it('stores privately: folder 0700, file 0600', async () => {
    const home = join(tempHome(), 'nested', 'idpass');
    const l = await listen([], { home });
    await postRaw(l.url, BODY, signed());
    await l.waitForDeliveries(1);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'deliveries.ndjson')).mode & 0o777).toBe(0o600);
  });

  it('records nothing with --no-store', async () => {
    const l = await listen(['--no-store']);
    await postRaw(l.url, BODY, signed());
    const [d] = await l.waitForDeliveries(1);
    expect(d!.stored).toBe(false);
    expect(readStoreLines(l.home)).toEqual([]);
  });

  it('redacts PII in output unless --show-pii', async () => {
    const l = await listen();
    await postRaw(l.url, BODY, signed());
    const [d] = await l.waitForDeliveries(1);
    const body = d!.body as { data: Record<string, string> };
    expect(body.data.bvn).toBe('•••••••••01');
    expect(body.data.phoneNumber1).toBe('•••••••••01');
    expect(body.data.firstName).toBe('ADA');
    expect(l.stdout()).not.toContain('22200000001');

    const shown = await listen(['--show-pii']);
    await postRaw(shown.url, BODY, signed());
    const [e] = await shown.waitForDeliveries(1);
    expect((e!.body as { data: Record<string, string> }).data.bvn).toBe('22200000001');
  });

  it('--events shows and forwards only matching deliveries, and still stores the rest', async () => {
    const app = await receiver();
    const l = await listen(['--events', 'workflow.*', '--forward-to', app.url]);
    await postRaw(l.url, BODY, signed());
    const workflow = JSON.stringify({ event: 'workflow.process.failed', data: { reference: 'w' } });
    await postRaw(l.url, workflow, signed(workflow));
    const [d] = await l.waitForDeliveries(1);
    expect(d!.event).toBe('workflow.process.failed');
    expect(l.lines.filter((x) => x.type === 'delivery')).toHaveLength(1);
    expect(app.received).toHaveLength(1);
    expect(storedDeliveries(l.home)).toHaveLength(2);
  });

  it('CI mode: exits 0 once --count matching deliveries arrived', async () => {
    const l = await listen(['--wait-for', 'verification.completed', '--count', '2', '--timeout', '20s']);
    await runInProcess(['trigger', 'verification.failed', '--to', l.url]);
    await runInProcess(['trigger', 'verification.completed', '--to', l.url]);
    expect(l.child.exitCode).toBeNull();
    await runInProcess(['trigger', 'verification.completed', '--to', l.url]);
    expect(await l.exited).toBe(0);
    expect(l.stderr()).toContain('2 of 2 matching deliveries arrived');
  });

  it('CI mode: exits 1 when they do not arrive in time', async () => {
    const l = await listen(['--wait-for', 'verification.*', '--timeout', '500ms']);
    expect(await l.exited).toBe(1);
    expect(l.stderr()).toContain('timed out after 500ms: 0 of 1');
  });

  it('exits 0 on SIGINT during a burst, with every answered delivery stored', async () => {
    const l = await listen();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const results: { status: number }[] = [];
    const burst = Array.from({ length: 300 }, (_, i) =>
      postRaw(l.url, BODY, signed(BODY, `int-${i}`), agent).then(
        (r) => results.push(r),
        () => results.push({ status: 0 }),
      ),
    );
    await l.waitForDeliveries(20);
    l.child.kill('SIGINT');
    await Promise.all(burst);
    agent.destroy();
    expect(await l.exited).toBe(0);
    const answered = results.filter((r) => r.status === 200).length;
    const stored = storedDeliveries(l.home);
    expect(answered).toBeGreaterThanOrEqual(20);
    expect(stored.length).toBeGreaterThanOrEqual(answered);
    expect(new Set(stored.map((s) => s.id)).size).toBe(stored.length);
  });

  it('exits 0 on SIGTERM', async () => {
    const l = await listen();
    expect(await l.stop('SIGTERM')).toBe(0);
  });

  it('prints the bound URL in plain mode too, also with --port 0', async () => {
    const home = tempHome();
    const res = await runInProcess(['listen', '--port', '0', '--timeout', '300ms'], { env: { IDPASS_HOME: home } });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/local\s+http:\/\/127\.0\.0\.1:\d{2,5}/);
    expect(res.stderr).not.toMatch(/127\.0\.0\.1:0\b/);
  });

  describe('startup errors exit 2 and say what to do', () => {
    it('port in use → suggests --port 0', async () => {
      const blocker = http.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      scope.defer(() => new Promise((r) => blocker.close(r)));
      const port = (blocker.address() as net.AddressInfo).port;
      const res = await runInProcess(['listen', '--port', String(port)], { env: { IDPASS_HOME: tempHome() } });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(res.stderr).toContain('--port 0');
    });

    it.each([
      [['--port', 'abc'], /not a port/],
      [['--host', '203.0.113.77'], /no such local address/],
    ])('%j', async (args, message) => {
      const res = await runInProcess(['listen', '--port', '0', ...args], { env: { IDPASS_HOME: tempHome() } });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    });
  });
});

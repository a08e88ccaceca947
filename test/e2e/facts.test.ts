import { createHmac } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testScope } from '../helpers/scope.js';
import { readStoreLines, storedDeliveries } from '../helpers/store.js';
import { planTrigger } from '../../src/core/trigger/plan.js';

/** Facts are true: what listen records and reports is what arrived (built binary, raw HTTP). */

const KEY = 'test_pk_facts0e2e0key0abcd';
const hmac = (body: Buffer | string) => createHmac('sha256', KEY).update(body).digest('base64');
const scope = testScope();
const BODY = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'f-1' }, billing_info: {} });

/** POSTs with full control of the headers (repeats, odd names, chunked when no content-length is given). */
function send(url: string, body: Buffer | string, headers: Record<string, string | string[]>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('what arrived is what is reported (built binary)', () => {
  it('records a gzip body, verifies the compressed bytes, shows it decoded and flags it; forwards it as it came', async () => {
    const app = await scope.receiver();
    const l = await scope.listen(['--public-key', KEY, '--forward-to', app.url]);
    const zipped = gzipSync(BODY);
    const reply = await send(l.url, zipped, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'x-prembly-signature': hmac(zipped),
      token: 'gz',
      'content-length': String(zipped.length),
    });
    expect(reply.status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({ event: 'verification.completed', size: zipped.length, signature: { valid: true } });
    expect((d!.notes as string[]).join(' ')).toMatch(/gzip-compressed \(Identitypass does not compress\)/);
    expect(Buffer.from(storedDeliveries(l.home)[0]!.body, 'base64').equals(zipped)).toBe(true);
    expect(app.received[0]!.body.equals(zipped)).toBe(true);
    expect(app.received[0]!.headers['content-encoding']).toBe('gzip');
  });

  it('over --max-body: the size as declared or as arrived (chunked), and the signature "not read", not "changed"', async () => {
    const l = await scope.listen(['--public-key', KEY, '--max-body', '1kb']);
    const big = JSON.stringify({ verification: { status: 'VERIFIED' }, pad: 'x'.repeat(5000) });
    const declared = await send(l.url, big, {
      'content-type': 'application/json',
      'x-prembly-signature': hmac(big),
      token: 'big-1',
      'content-length': String(big.length),
    });
    expect(declared.status).toBe(413);
    const chunked = await send(l.url, big, { 'content-type': 'application/json', 'x-prembly-signature': hmac(big), token: 'big-2' });
    expect(chunked.status).toBe(413);
    const [first, second] = await l.waitForDeliveries(2);
    expect(first).toMatchObject({ tooLarge: true, size: big.length, signature: { valid: false, reason: 'body-not-read' } });
    expect(second!.tooLarge).toBe(true);
    expect(Number(second!.size)).toBeGreaterThan(1024);
    expect(readStoreLines(l.home).filter((x) => x.kind === 'delivery')).toHaveLength(2);
  });

  it('250 headers: none is dropped, so Content-Length and the body survive', async () => {
    const l = await scope.listen(['--public-key', KEY]);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'many' };
    for (let i = 0; i < 247; i++) headers[`x-pad-${i}`] = String(i);
    expect((await send(l.url, BODY, { ...headers, 'content-length': String(Buffer.byteLength(BODY)) })).status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({ signature: { valid: true }, event: 'verification.completed' });
    expect((d!.notes as string[]).join(' ')).toMatch(/25\d headers/);
  });

  it('a repeated signature header: the first is checked, by listen and the middleware alike, and noted', async () => {
    const l = await scope.listen(['--public-key', KEY]);
    await send(l.url, BODY, { 'content-type': 'application/json', 'x-prembly-signature': [hmac(BODY), 'bogus'], token: 'dup-sig' });
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({ signature: { valid: true } });
    expect((d!.notes as string[]).join(' ')).toMatch(/x-prembly-signature appears 2 times: the first one is used/);
  });

  it('headers named __proto__ and constructor reach the app intact', async () => {
    const app = await scope.receiver();
    const l = await scope.listen(['--public-key', KEY, '--forward-to', app.url]);
    const headers = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    await send(l.url, BODY, { ...headers, 'content-type': 'application/json', 'x-prembly-signature': hmac(BODY), token: 'proto' });
    await l.waitForDeliveries(1);
    expect(app.received[0]!.rawHeaderNames).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
  });

  it('--set and --unset refuse __proto__, constructor and prototype; the library cannot pollute Object.prototype', async () => {
    const res = await runCli(['trigger', 'verification.completed', '--set', '__proto__.polluted=1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/names __proto__/);
    expect(() => planTrigger({ event: 'verification.completed', set: [{ path: 'constructor.prototype.polluted', value: 1 }] })).toThrow(
      /constructor/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

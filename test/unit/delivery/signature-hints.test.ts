import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../../../src/core/delivery/describe.js';

const SANDBOX = 'test_pk_hints0sandbox0abcd';
const LIVE = 'live_pk_hints0live0key0abcd';
const hmac = (body: string | Buffer, key: string) => createHmac('sha256', key).update(body).digest('base64');
const BODY = '{"event":"workflow.process.failed","data":{"reference":"w-1"}}';

const describe1 = (body: string, signature: Record<string, string>, livePublicKey?: string) =>
  describeDelivery({
    id: 'x',
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/',
    headers: Object.entries({ 'content-type': 'application/json', token: 't', ...signature }),
    body: Buffer.from(body),
    publicKey: SANDBOX,
    livePublicKey,
  });

describe('signature hints', () => {
  it('names the live key for a live-signed kind that matches neither key', () => {
    const d = describe1(BODY, { 'x-prembly-signature': hmac(BODY, LIVE) });
    expect(d.verification.valid).toBe(false);
    expect(d.signatureHint).toMatchObject({
      code: 'live-key',
      message: expect.stringMatching(/workflow\.process\.failed with your live public key/),
    });
    // with the live key given, it just verifies, and says so
    const ok = describe1(BODY, { 'x-prembly-signature': hmac(BODY, LIVE) }, LIVE);
    expect(ok.verification).toMatchObject({ valid: true, key: 'live' });
    expect(ok.signatureHint).toBeNull();
  });

  it('spots a trailing newline and a re-serialised body', () => {
    expect(describe1(BODY + '\r\n', { 'x-prembly-signature': hmac(BODY, SANDBOX) }).signatureHint?.code).toBe('trailing-newline');
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(describe1(pretty, { 'x-prembly-signature': hmac(BODY, SANDBOX) }).signatureHint?.code).toBe('re-serialised');
  });

  it('notes a legacy static scheme, valid or not, and says nothing for a sandbox kind signed right', () => {
    const legacy = describe1(BODY, { 'x-identitypass-signature': Buffer.from(SANDBOX).toString('base64') });
    expect(legacy.verification.valid).toBe(true);
    expect(legacy.signatureHint?.code).toBe('legacy-scheme');
    const sdk = '{"data":{"widget_info":{"a":1}},"completed_at":"x"}';
    expect(describe1(sdk, { 'x-prembly-signature': hmac(sdk, SANDBOX) }).signatureHint).toBeNull();
    expect(describe1(sdk, { 'x-prembly-signature': hmac(sdk, 'test_pk_someone0else0abcd') }).signatureHint?.code).toBe('other-key');
  });
});

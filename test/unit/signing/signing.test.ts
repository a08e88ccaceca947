import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEST_KEY, computeSignature, detectScheme, keyFingerprint, sign, verify } from '../../../src/core/signing/index.js';
import { constantTimeEqual } from '../../../src/core/common/compare.js';

const KEY = 'test_pk_0a1b2c3d4e5f';
const BODY = '{"status":true,"verification":{"status":"VERIFIED","reference":"r-1"}}';
// Computed by hand so that the code under test is not checking itself.
const HMAC = createHmac('sha256', KEY).update(Buffer.from(BODY)).digest('base64');
const STATIC = Buffer.from(KEY).toString('base64');

describe('computeSignature', () => {
  it('matches independently computed values for each scheme', () => {
    expect(computeSignature('prembly-hmac', KEY, BODY)).toBe(HMAC);
    expect(computeSignature('prembly-legacy', KEY, BODY)).toBe(STATIC);
    expect(computeSignature('identitypass', KEY, 'anything else')).toBe(STATIC);
    expect(STATIC).toBe('dGVzdF9wa18wYTFiMmMzZDRlNWY=');
  });

  it('signs bytes and the equivalent string alike, including non-ASCII text', () => {
    const text = '{"data":{"firstName":"Ọlá","lastName":"Ñandú ✓"}}';
    const expected = createHmac('sha256', KEY).update(Buffer.from(text, 'utf8')).digest('base64');
    expect(computeSignature('prembly-hmac', KEY, text)).toBe(expected);
    expect(computeSignature('prembly-hmac', KEY, new TextEncoder().encode(text))).toBe(expected);
  });

  it('signs an empty body', () => {
    expect(computeSignature('prembly-hmac', KEY, '')).toBe(createHmac('sha256', KEY).update('').digest('base64'));
  });

  it('signs a byte view at an offset correctly', () => {
    const whole = Buffer.from('xxxx' + BODY + 'yyyy');
    const view = whole.subarray(4, 4 + BODY.length);
    expect(computeSignature('prembly-hmac', KEY, view)).toBe(HMAC);
  });
});

describe('sign', () => {
  it('puts the signature in the header of its scheme with a token', () => {
    const hmac = sign({ body: BODY, publicKey: KEY, scheme: 'prembly-hmac', token: 't-1' });
    expect(hmac.headers).toEqual({ 'content-type': 'application/json', 'x-prembly-signature': HMAC, token: 't-1' });
    const original = sign({ body: BODY, publicKey: KEY, scheme: 'identitypass' });
    expect(original.headers['x-identitypass-signature']).toBe(STATIC);
    expect(original.token).toMatch(/^[0-9a-f-]{36}$/);
    const current = sign({ body: BODY, publicKey: KEY });
    expect(current.headers['x-prembly-signature']).toBe(HMAC);
    expect(current.token).not.toBe(original.token);
  });
});

describe('detectScheme', () => {
  it('tells the three schemes apart from the headers alone, whatever the casing', () => {
    expect(detectScheme({ 'X-Identitypass-Signature': STATIC })?.scheme).toBe('identitypass');
    expect(detectScheme({ 'x-prembly-signature': STATIC })?.scheme).toBe('prembly-legacy');
    expect(detectScheme({ 'X-PREMBLY-SIGNATURE': HMAC })?.scheme).toBe('prembly-hmac');
    expect(detectScheme(new Headers({ 'x-prembly-signature': HMAC }))?.scheme).toBe('prembly-hmac');
    expect(detectScheme([['X-Prembly-Signature', STATIC]])?.scheme).toBe('prembly-legacy');
    expect(detectScheme({ 'content-type': 'application/json' })).toBeNull();
  });

  it('takes the first value of a repeated header', () => {
    expect(detectScheme({ 'x-prembly-signature': [HMAC, 'other'] })?.value).toBe(HMAC);
  });
});

describe('verify', () => {
  it('accepts each scheme signed with the right key', () => {
    const hmac = verify({ body: BODY, headers: { 'x-prembly-signature': HMAC, token: 'abc' }, publicKey: KEY });
    expect(hmac).toMatchObject({ valid: true, reason: 'valid', scheme: 'prembly-hmac', weak: false, token: 'abc' });
    const legacy = verify({ body: BODY, headers: { 'x-prembly-signature': STATIC }, publicKey: KEY });
    expect(legacy).toMatchObject({ valid: true, scheme: 'prembly-legacy', weak: true, token: null });
    const original = verify({ body: BODY, headers: { 'X-IdentityPass-Signature': STATIC }, publicKey: KEY });
    expect(original).toMatchObject({ valid: true, scheme: 'identitypass', weak: true });
    expect(original.message).toMatch(/forge/);
  });

  it('reports a missing signature', () => {
    const result = verify({ body: BODY, headers: { token: 'abc' }, publicKey: KEY });
    expect(result).toMatchObject({ valid: false, reason: 'missing-signature', scheme: null });
  });

  it('reports an empty signature', () => {
    const result = verify({ body: BODY, headers: { 'x-identitypass-signature': '' }, publicKey: KEY });
    expect(result).toMatchObject({ valid: false, reason: 'empty-signature' });
  });

  it('rejects an HMAC made with another key or over another body', () => {
    const otherKey = createHmac('sha256', 'test_pk_someone_else').update(BODY).digest('base64');
    expect(verify({ body: BODY, headers: { 'x-prembly-signature': otherKey }, publicKey: KEY })).toMatchObject({
      valid: false,
      reason: 'body-mismatch',
      scheme: 'prembly-hmac',
    });
    const changed = BODY.replace('VERIFIED', 'NOT-VERIFIED');
    expect(verify({ body: changed, headers: { 'x-prembly-signature': HMAC }, publicKey: KEY }).valid).toBe(false);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(verify({ body: reserialised, headers: { 'x-prembly-signature': HMAC }, publicKey: KEY }).valid).toBe(false);
  });

  it('calls a truncated HMAC malformed rather than a mismatch', () => {
    const result = verify({ body: BODY, headers: { 'x-prembly-signature': HMAC.slice(0, 40) }, publicKey: KEY });
    expect(result).toMatchObject({ valid: false, reason: 'malformed-signature', scheme: 'prembly-hmac' });
  });

  it('names the wrong key of a static scheme by fingerprint only', () => {
    const other = 'test_pk_another_merchant_9z8y';
    const result = verify({ body: BODY, headers: { 'x-identitypass-signature': Buffer.from(other).toString('base64') }, publicKey: KEY });
    expect(result).toMatchObject({
      valid: false,
      reason: 'wrong-key',
      senderKeyFingerprint: expect.stringMatching(/^test_pk_…\S* #[0-9a-f]{4}$/),
    });
    expect(result.message).not.toContain(other);
    expect(result.message).not.toContain(KEY);
  });

  it('calls a static value that is not base64 malformed', () => {
    const result = verify({ body: BODY, headers: { 'x-identitypass-signature': 'not base64!' }, publicKey: KEY });
    expect(result).toMatchObject({ valid: false, reason: 'malformed-signature' });
  });

  it('static schemes do not notice a changed body (which is why they are weak)', () => {
    const result = verify({ body: 'anything at all', headers: { 'x-prembly-signature': STATIC }, publicKey: KEY });
    expect(result).toMatchObject({ valid: true, weak: true });
  });

  it('verifies an empty body and a non-ASCII body under HMAC', () => {
    const empty = createHmac('sha256', KEY).update('').digest('base64');
    expect(verify({ body: '', headers: { 'x-prembly-signature': empty }, publicKey: KEY }).valid).toBe(true);
    const text = '{"name":"Adaẹ̀ze 🙂"}';
    const sig = createHmac('sha256', KEY).update(Buffer.from(text)).digest('base64');
    expect(verify({ body: Buffer.from(text), headers: { 'x-prembly-signature': sig }, publicKey: KEY }).valid).toBe(true);
  });

  it('refuses schemes that are not allowed', () => {
    const result = verify({ body: BODY, headers: { 'x-prembly-signature': STATIC }, publicKey: KEY, schemes: ['prembly-hmac'] });
    expect(result).toMatchObject({ valid: false, reason: 'scheme-not-allowed', scheme: 'prembly-legacy' });
  });
});

describe('helpers', () => {
  it('compares strings of different lengths as unequal without throwing', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
  });

  it('fingerprints keys without revealing them', () => {
    expect(keyFingerprint('live_pk_abcdefgh12345678')).toMatch(/^live_pk_…345678 #[0-9a-f]{4}$/);
    // short keys show no characters, but two of them still differ
    expect(keyFingerprint('short')).toMatch(/^… #[0-9a-f]{4}$/);
    expect(keyFingerprint('test_pk_aaaa')).not.toBe(keyFingerprint('test_pk_bbbb'));
    expect(keyFingerprint('test_pk_aaaa')).not.toContain('aaaa');
    expect(keyFingerprint(BUILTIN_TEST_KEY)).toMatch(/^test_pk_…/);
  });
});

describe('verify with two keys', () => {
  const LIVE = 'live_pk_0a1b2c3d4e5f6a7b';
  it('tries the sandbox key, then the live key, and says which matched', () => {
    const bySandbox = sign({ body: BODY, publicKey: KEY });
    const byLive = sign({ body: BODY, publicKey: LIVE });
    expect(verify({ body: BODY, headers: bySandbox.headers, publicKey: KEY, livePublicKey: LIVE })).toMatchObject({
      valid: true,
      key: 'sandbox',
    });
    expect(verify({ body: BODY, headers: byLive.headers, publicKey: KEY, livePublicKey: LIVE })).toMatchObject({
      valid: true,
      key: 'live',
      message: 'HMAC-SHA256 of the body matches the live public key',
    });
    expect(verify({ body: BODY, headers: byLive.headers, publicKey: KEY })).toMatchObject({
      valid: false,
      key: null,
      reason: 'body-mismatch',
    });
    const staticLive = sign({ body: BODY, publicKey: LIVE, scheme: 'prembly-legacy' });
    expect(verify({ body: BODY, headers: staticLive.headers, publicKey: KEY, livePublicKey: LIVE })).toMatchObject({
      valid: true,
      key: 'live',
      weak: true,
    });
  });
});

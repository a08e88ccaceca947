import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/core/delivery/classify.js';
import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY } from '../../../src/core/signing/index.js';
import { diagnose, planTrigger, TriggerError } from '../../../src/core/trigger/index.js';

const KEY = 'test_pk_plan0test0key0abcd';
const hmac = (body: Buffer, key = KEY) => createHmac('sha256', key).update(body).digest('base64');
const parse = (body: Buffer) => JSON.parse(body.toString('utf8'));

describe('planTrigger', () => {
  it('plans one delivery of the fixture by default, HMAC-signed with the key Prembly uses for the kind', () => {
    const [one, ...rest] = planTrigger({ event: 'verification.completed' });
    expect(rest).toHaveLength(0);
    expect(one!.headers['x-prembly-signature']).toBe(hmac(one!.body, BUILTIN_TEST_KEY));
    expect(one!.key).toBe('sandbox');
    const [workflow] = planTrigger({ event: 'workflow.process.failed' });
    expect(workflow!.key).toBe('live');
    expect(workflow!.headers['x-prembly-signature']).toBe(hmac(workflow!.body, BUILTIN_LIVE_TEST_KEY));
    const [forced] = planTrigger({ event: 'workflow.process.failed', key: 'sandbox', publicKey: KEY });
    expect(forced!.headers['x-prembly-signature']).toBe(hmac(forced!.body, KEY));
    expect(one!.headers.token).toBe(one!.token);
    expect(classify(parse(one!.body))).toMatchObject({ event: 'verification.completed', reference: one!.reference });
    expect(one!.expect.text).toBe('200');
  });

  it('signs the exact bytes it sends under prembly-hmac', () => {
    const [one] = planTrigger({ event: 'verification.failed', scheme: 'prembly-hmac', publicKey: KEY });
    expect(one!.headers['x-prembly-signature']).toBe(hmac(one!.body));
  });

  it('gives every plan a fresh token and reference', () => {
    const a = planTrigger({ event: 'sdk.session.completed' })[0]!;
    const b = planTrigger({ event: 'sdk.session.completed' })[0]!;
    expect(a.token).not.toBe(b.token);
    expect(a.reference).not.toBe(b.reference);
  });

  it('applies --set and --unset', () => {
    const [one] = planTrigger({
      event: 'verification.completed',
      set: [
        { path: 'data.firstName', value: 'Grace' },
        { path: 'verification.reference', value: 'my-ref' },
      ],
      unset: ['user_info'],
    });
    const body = parse(one!.body);
    expect(body.data.firstName).toBe('Grace');
    expect(body.user_info).toBeUndefined();
    expect(one!.reference).toBe('my-ref');
  });

  it('refuses to unset a field that is not there', () => {
    expect(() => planTrigger({ event: 'verification.completed', unset: ['nope.nothing'] })).toThrow(/no such field/);
  });

  it('sends a --data body byte for byte, and re-serialises only when edited', () => {
    const data = Buffer.from('{ "verification": { "status": "VERIFIED", "reference": "d-1" },\n  "x": 1 }\n');
    const [one] = planTrigger({ event: 'verification.completed', data, scheme: 'prembly-hmac', publicKey: KEY });
    expect(one!.body.equals(data)).toBe(true);
    expect(one!.headers['x-prembly-signature']).toBe(hmac(data));
    expect(one!.reference).toBe('d-1');
    const [edited] = planTrigger({ event: 'verification.completed', data, set: [{ path: 'x', value: 2 }] });
    expect(parse(edited!.body).x).toBe(2);
  });

  it('refuses --data that is not a JSON object', () => {
    expect(() => planTrigger({ event: 'verification.completed', data: Buffer.from('{nope') })).toThrow(/not valid JSON/);
    expect(() => planTrigger({ event: 'verification.completed', data: Buffer.from('[1]') })).toThrow(/JSON object/);
  });

  it('plans a labelled pending, then the final as the retry-flagged kind with one reference, signed with the live key', () => {
    const [pending, final] = planTrigger({ event: 'verification.completed', pendingFirst: true, delayMs: 50, product: 'nin' });
    const p = parse(pending!.body);
    const f = parse(final!.body);
    expect(classify(p).event).toBe('verification.pending');
    expect(pending!.note).toMatch(/API’s answer; it does not POST it/);
    expect(final!.event).toBe('verification.retry.completed');
    expect(classify(f).event).toBe('verification.retry.completed');
    expect(p.verification.reference).toBe(f.verification.reference);
    expect(p.endpoint_name).toBe('NIN Level 2');
    expect(f.is_callback_retry).toBe(true);
    expect(p.is_callback_retry).toBeUndefined();
    expect(pending!.key).toBe('sandbox');
    expect(final!.key).toBe('live');
    expect(final!.headers['x-prembly-signature']).toBe(hmac(final!.body, BUILTIN_LIVE_TEST_KEY));
    expect(pending!.token).not.toBe(final!.token);
    expect(final!.delayBeforeMs).toBe(50);
  });

  it('plans the wallet-funding variant, the API-answer variant and a given reference', () => {
    const [pending, final] = planTrigger({
      event: 'verification.completed',
      pendingFirst: true,
      pendingReason: 'payment',
      reference: 'app-ref-1',
    });
    expect(parse(pending!.body)).toMatchObject({ response_code: '03', verification: { status: 'PENDING', reference: 'app-ref-1' } });
    expect(final!.event).toBe('verification.payment_retry.completed');
    expect(parse(final!.body)).toMatchObject({ is_pending_payment_retry: true, verification: { reference: 'app-ref-1' } });

    const [shown] = planTrigger({ event: 'verification.failed', pendingFirst: true, pendingVia: 'api' });
    expect(shown!).toMatchObject({ send: 'show', key: null });
    expect(shown!.headers['x-prembly-signature']).toBeUndefined();
    const [elsewhere] = planTrigger({
      event: 'verification.failed',
      pendingFirst: true,
      pendingVia: 'api',
      pendingTo: 'http://127.0.0.1:9/api',
    });
    expect(elsewhere!).toMatchObject({ send: 'post' });
    expect(elsewhere!.url?.href).toBe('http://127.0.0.1:9/api');
  });

  it('follows redirects for every kind but workflow runs', () => {
    expect(planTrigger({ event: 'verification.completed' })[0]!.followRedirects).toBe(true);
    expect(planTrigger({ event: 'workflow.process.completed' })[0]!.followRedirects).toBe(false);
  });

  it('sends a legacy shape when asked, and only for kinds that have one', () => {
    const [legacy] = planTrigger({ event: 'sdk.session.completed', shape: 'legacy' });
    expect(classify(parse(legacy!.body))).toMatchObject({
      event: 'sdk.session.completed',
      legacyShape: expect.stringMatching(/top-level widget_info/),
    });
    expect(() => planTrigger({ event: 'verification.completed', shape: 'legacy' })).toThrow(TriggerError);
  });

  it('plans each tamper kind', () => {
    const sig = planTrigger({ event: 'verification.completed', tamper: 'signature', scheme: 'prembly-hmac', publicKey: KEY })[0]!;
    expect(sig.headers['x-prembly-signature']).not.toBe(hmac(sig.body));
    expect(sig.headers['x-prembly-signature']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(sig.expect.text).toBe('4xx');

    const body = planTrigger({ event: 'verification.completed', tamper: 'body', scheme: 'prembly-hmac', publicKey: KEY })[0]!;
    expect(parse(body.body).tampered_by).toBe('idpass');
    expect(body.headers['x-prembly-signature']).not.toBe(hmac(body.body));

    const missing = planTrigger({ event: 'verification.completed', tamper: 'missing-signature' })[0]!;
    expect(Object.keys(missing.headers).sort()).toEqual(['content-type', 'token']);

    const [first, again] = planTrigger({ event: 'verification.completed', tamper: 'replay', expect: '409' });
    expect(first!.token).toBe(again!.token);
    expect(first!.body.equals(again!.body)).toBe(true);
    expect(first!.expect.text).toBe('200');
    expect(again!.expect.text).toBe('409');
    // by default a replay passes with 200 (idempotent, as Prembly asks) and, with a warning, with a 4xx
    const [, idempotent] = planTrigger({ event: 'verification.completed', tamper: 'replay' });
    expect(idempotent!.expect.text).toBe('200,4xx');
    expect(idempotent!.preferred?.text).toBe('200');
  });

  it('expects any 2xx from workflow receivers by default, as Identitypass does', () => {
    expect(planTrigger({ event: 'workflow.process.completed' })[0]!.expect.text).toBe('2xx');
  });

  it.each([
    [{ event: 'verification.complete' }, 'unknown-event'],
    [{ event: 'sdk.session.completed', product: 'nin' }, 'product-not-applicable'],
    [{ event: 'verification.completed', product: 'selfie' }, 'unknown-product'],
    [{ event: 'workflow.process.completed', pendingFirst: true }, 'pending-not-applicable'],
    [{ event: 'verification.completed', tamper: 'body' as const, scheme: 'identitypass' as const }, 'tamper-body-static-scheme'],
    [{ event: 'verification.completed', pendingVia: 'api' as const }, 'pending-option-alone'],
    [{ event: 'verification.completed', pendingFirst: true, pendingTo: 'http://127.0.0.1:9/' }, 'pending-to-needs-api'],
    [{ event: 'workflow.process.failed', shape: 'legacy' as const }, 'shape-not-available'],
    [{ event: 'verification.completed', pendingFirst: true, tamper: 'replay' as const }, 'pending-with-tamper'],
    [{ event: 'verification.completed', product: 'bvn', data: Buffer.from('{}') }, 'product-with-data'],
    [{ event: 'verification.completed', data: Buffer.from('{"a": tru') }, 'data-not-json'],
    [{ event: 'verification.completed', data: Buffer.from('[]') }, 'data-not-object'],
    [{ event: 'verification.completed', unset: ['nope'] }, 'unset-missing-field'],
    [{ event: 'verification.completed', set: [{ path: 'status.deep', value: 1 }] }, 'bad-edit'],
    [{ event: 'verification.completed', expect: 'ok' }, 'bad-status-expectation'],
  ])('refuses %j with a code and words that name no CLI flag', (options, code) => {
    let thrown: unknown;
    try {
      planTrigger(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TriggerError);
    expect((thrown as TriggerError).code).toBe(code);
    expect((thrown as Error).message).not.toMatch(/--[a-z]/);
  });

  it('gives close event names as facts for an unknown event', () => {
    expect(() => planTrigger({ event: 'verification.complete' })).toThrow(/unknown event "verification\.complete"/);
    try {
      planTrigger({ event: 'verification.complete' });
    } catch (error) {
      expect((error as TriggerError).facts.suggestions?.[0]).toBe('verification.completed');
    }
  });
});

describe('diagnose', () => {
  const base = {
    key: 'sandbox' as const,
    note: null,
    shown: null,
    redirects: [],
    event: 'verification.completed',
    role: 'single' as const,
    tamper: null,
    reference: 'r',
    token: 't',
    url: 'u',
    ms: 1,
    expected: '200',
    reply: null,
    error: null,
  };
  it('names the usual failures', () => {
    expect(diagnose({ ...base, status: 201, ok: false }, 10_000)).toEqual({ code: 'not-exactly-200' });
    expect(diagnose({ ...base, status: 302, ok: false }, 10_000)).toEqual({ code: 'redirect' });
    expect(diagnose({ ...base, status: 401, ok: false }, 10_000)).toEqual({ code: 'genuine-rejected' });
    expect(diagnose({ ...base, status: 404, ok: false }, 10_000)).toEqual({ code: 'no-handler' });
    expect(diagnose({ ...base, status: 503, ok: false }, 10_000)).toEqual({ code: 'handler-failed' });
    expect(diagnose({ ...base, status: 200, ok: true }, 10_000)).toBeNull();
    expect(diagnose({ ...base, status: 200, ok: false, tamper: 'replay', expected: '4xx' }, 10_000)).toEqual({ code: 'tamper-accepted' });
    expect(diagnose({ ...base, status: 400, ok: false, tamper: 'signature', expected: '401' }, 10_000)).toEqual({
      code: 'tamper-unexpected-status',
    });
    const timeout = {
      ...base,
      status: null,
      ok: false,
      error: { kind: 'timeout' as const, code: 'ETIMEDOUT', message: 'm', connected: true },
    };
    expect(diagnose(timeout, 3_000)).toEqual({ code: 'timeout', timeoutMs: 3_000 });
  });
});

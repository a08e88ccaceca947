import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/core/sandbox/sandbox.js';
import { testScope } from '../helpers/scope.js';

/**
 * The sandbox called the way the public Prembly SDKs call it: each of the four path families, JSON
 * numbers, colon-shaped keys, wrong formats, the status, session and logs endpoints. Shapes are
 * checked field by field against prembly-2026.md §4.
 */
const scope = testScope();
const KEYS = { publicKey: 'test_pk_families0key0abc123', livePublicKey: 'live_pk_families0key0def456' };

async function sandbox() {
  const s = createSandbox({ ...KEYS, pendingDelayMs: 50 });
  const url = await s.start({ port: 0 });
  scope.defer(() => s.close());
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    key = 'test_sk_families0key0123',
    extra: Record<string, string> = {},
  ) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...extra },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return {
    s,
    url,
    post: (path: string, body: unknown, key?: string) => call('POST', path, body, key),
    get: (path: string, extra: Record<string, string> = {}) => call('GET', path, undefined, undefined, extra),
  };
}

describe('the sandbox as the SDKs call it', () => {
  it('answers every path family, each in its own shape: the Identitypass family keeps its bvn_data / nin_data / vc_data', async () => {
    const { post } = await sandbox();
    const bvn = { number: '54651333604' };
    for (const path of [
      '/api/v1/verification/bvn/',
      '/identitypass/verification/bvn_validation',
      '/verification/bvn_validation',
      '/verification/bvn',
    ]) {
      const r = await post(path, bvn);
      expect(r.status, path).toBe(200);
      expect(r.body).toMatchObject({ status: true, response_code: '00', verification: { status: 'VERIFIED' } });
      expect(r.body.data.firstName, path).toBeTypeOf('string');
    }
    for (const version of ['v1', 'v2']) {
      const ip = await post(`/api/${version}/biometrics/merchant/data/verification/bvn`, bvn);
      expect(ip.status).toBe(200);
      expect(ip.body.bvn_data.firstName).toBeTypeOf('string');
      expect(ip.body.data).toBeUndefined();
    }
    const nin = await post('/api/v2/biometrics/merchant/data/verification/nin_wo_face', { number: '12345678901' });
    expect(nin.body.nin_data.surname).toBeTypeOf('string');
    const vc = await post('/api/v1/biometrics/merchant/data/verification/voters_card', { number: '987f545AJ67890' });
    expect(vc.body.vc_data.fullName).toBeTypeOf('string');
    const ref = await post('/api/v1/verification/api/nin_level_2/', { number: '12345678901' });
    expect(ref.body).toMatchObject({ response_code: '00', billing_info: { was_charged: true } });
    const async = await post('/api/v1/biometrics/merchant/data/verification/national_passport/async', {
      number: 'A00400000',
      last_name: 'test',
    });
    expect(async.body.response_code).toBe('00');
  });

  it('every product the SDKs call: phone, licence basic/advance/image, face comparison, passport with face, liveness', async () => {
    const { post } = await sandbox();
    const cases: [string, Record<string, unknown>][] = [
      ['/verification/phone_number', { number: '08000012345' }],
      ['/verification/phone_number/advance', { number: '2348000012345' }],
      ['/verification/drivers_license/basic', { number: 'AAD2320823198', dob: '1999-12-21', first_name: 'test', last_name: 'test' }],
      ['/verification/drivers_license/advance', { number: 'ABC12345YZ00', first_name: 'john', last_name: 'doe' }],
      ['/verification/drivers_license/image', { image: 'aGVsbG8=' }],
      ['/verification/biometrics/face/comparison', { image_one: 'aGVsbG8=', image_two: 'aGVsbG8=' }],
      ['/verification/national_passport_with_face', { number: 'A00400000', last_name: 'test', image: 'aGVsbG8=' }],
      ['/verification/nin_w_face', { number: '12345678901', image: 'aGVsbG8=' }],
    ];
    for (const [path, body] of cases) {
      const r = await post(path, body);
      expect(r.status, path).toBe(200);
      expect(r.body.response_code ?? (r.body.confidence === 100 ? '00' : null), path).toBe('00');
    }
    const live = await post('/verification/biometrics/face/liveliness_check', { image: 'aGVsbG8=' });
    expect(live.body).toMatchObject({ status: true, detail: 'Liveliness Detected', response_code: '00', endpoint_name: 'Face Liveliness' });
    expect(live.body.data.confidence).toBeTypeOf('number');
    expect(live.body.verification.status).toBe('VERIFIED');
  });

  it('validates like Prembly: numbers as JSON numbers, 05 for a wrong format, 01 for an unknown well-formed number, colon-shaped keys', async () => {
    const { post } = await sandbox();
    const asNumber = await post('/identitypass/verification/bvn_validation', { number: 54651333604 });
    expect(asNumber.status).toBe(200);
    expect(asNumber.body.response_code).toBe('00');
    expect(asNumber.body.request_data).toEqual({ number: 54651333604 });
    for (const [path, body] of [
      ['/identitypass/verification/vnin', { number: 'invalid_nin_123' }],
      ['/identitypass/verification/vnin', { number_nin: '11111111111' }],
      ['/verification/bvn', { number: '1234' }],
      ['/verification/national_passport', { number: '12345', last_name: 'x' }],
    ] as const) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ status: false, response_code: '05', detail: 'Invalid request data' });
      expect(Object.keys(r.body.errors)).toEqual([Object.keys(body)[0]]);
      expect(r.body.meta.request_id).toBeTypeOf('string');
    }
    const unknown = await post('/verification/bvn', { number: '98765432109' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ status: false, response_code: '01', verification: { status: 'NOT-VERIFIED' } });
    expect((await post('/verification/bvn', { number: '54651333604' }, 'test_sk:1a2b3c4d:5e6f')).status).toBe(200);
    expect((await post('/verification/bvn', { number: '54651333604' }, 'short')).status).toBe(401);
  });

  it('answers echo the request: the number, the names as submitted, request_data', async () => {
    const { post } = await sandbox();
    const passport = await post('/verification/national_passport', { number: 'A00400123', last_name: 'Okafor' });
    expect(passport.body.data.number).toBe('A00400123');
    expect(passport.body.data.last_name).toBe('OKAFOR');
    expect(passport.body.request_data).toEqual({ number: 'A00400123', last_name: 'Okafor' });
    const dl = await post('/verification/drivers_license/advance/v2', { number: 'ABC98765XY01', first_name: 'Ngozi', last_name: 'Eze' });
    expect(dl.body.frsc_data).toMatchObject({ driversLicense: 'ABC98765XY01', firstname: 'NGOZI', lastname: 'EZE' });
    const bvn = await post('/verification/bvn', { number: '22233344455' });
    expect(bvn.body.request_data).toEqual({ number: '22233344455' });
  });

  it('the status endpoints (G-new, legacy), the SDK session lookup and list, and the logs', async () => {
    const { s, post, get } = await sandbox();
    const done = await post('/verification/bvn', { number: '54651333604' });
    const reference = String(done.body.verification.reference);
    const gnew = await get(`/api/v1/verification/api/status/${reference}/`);
    expect(gnew.body).toMatchObject({ status: true, message: 'Request successful.', data: { reference, response_code: '00' } });
    expect(gnew.body.meta).toMatchObject({ version: 'v1' });
    const legacy = await get(`/verification/${reference}/status`);
    expect(legacy.body.data).toMatchObject({
      reference,
      response_code: '00',
      verification_status: 'VERIFIED',
      request_data: { number: '54651333604' },
    });
    const missing = await get('/verification/no-such-ref/status');
    expect(missing.status).toBe(404);
    expect(missing.body.meta.request_id).toBeTypeOf('string');
    s.completeSession('user-42');
    const sessions = await get('/api/v1/checker-widget/sdk/sessions/');
    expect(sessions.body.pagination).toMatchObject({ page: 1, total: 1, total_pages: 1 });
    const id = String(sessions.body.sessions[0].session_id);
    expect(id).toMatch(/^sdk_session_/);
    const one = await get(`/api/v1/checker-widget/sdk/sessions/${id}/`, { 'x-organisation-id': 'org-1' });
    expect(one.body).toMatchObject({
      status: true,
      detail: 'Session fetched successfully',
      response: { session_id: id, user_ref: 'user-42' },
    });
    const logs = await get(`/api/v1/verification/logs/?search=${reference}`);
    expect(logs.body).toMatchObject({ status: true, errors: {}, pagination: { page: 1, total_items: 1 } });
    expect(logs.body.data[0]).toMatchObject({ reference_id: reference, response_code: '00', status: 'success', method: 'api' });
    const notFound = await post('/verification/no_such_product', { number: '1' });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ status: false, errors: {} });
  });

  it('a per-key rate limit, off by default: past it, 429 with Retry-After in the errors/meta envelope; another key is not held up', async () => {
    const s = createSandbox({ ...KEYS, rateLimitPerSecond: 3 });
    const url = await s.start({ port: 0 });
    scope.defer(() => s.close());
    const call = (key: string) =>
      fetch(`${url}/verification/bvn`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: '{"number":"54651333604"}',
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('test_sk_busy0key0000000')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await call('test_sk_busy0key0000000');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({
      status: false,
      message: expect.stringMatching(/^Too many requests/),
      meta: { version: 'v1' },
    });
    expect((await call('test_sk_other0key000000')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call('test_sk_busy0key0000000')).status).toBe(200);
    // off by default
    const { post } = await sandbox();
    for (let i = 0; i < 20; i++) expect((await post('/verification/bvn', { number: '54651333604' })).status).toBe(200);
  });
});

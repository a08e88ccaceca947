import { describe, expect, it } from 'vitest';
import { battery, selectChecks } from '../../../src/core/doctor/battery.js';
import { unusualBytes, withPhotos } from '../../../src/core/doctor/bodies.js';
import { summarise } from '../../../src/core/doctor/run.js';
import { DoctorError, type CheckResult } from '../../../src/core/doctor/types.js';
import { loadFixture } from '../../../src/core/trigger/fixtures.js';
import { junitXml } from '../../../src/output/render/junit.js';

const result = (over: Partial<CheckResult>): CheckResult => ({
  id: 'genuine.verification.completed',
  group: 'genuine',
  title: 'accepts a genuine verification.completed',
  verdict: 'pass',
  required: true,
  sent: 'sent',
  got: '200 in 3 ms',
  prembly: null,
  fix: null,
  status: 200,
  ms: 3,
  ...over,
});

describe('doctor bodies', () => {
  it('writes valid JSON that no JSON.stringify reproduces: reordered keys, escapes, a large integer', () => {
    const body = loadFixture('verification.completed');
    const bytes = unusualBytes(body).toString('utf8');
    const parsed = JSON.parse(bytes) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).not.toBe(bytes);
    expect(bytes).toMatch(/\\u00e9/); // é escaped
    expect(bytes).toMatch(/\\\//); // an escaped slash
    expect(bytes).toMatch(/"request_id" : 90071992547409931234\b/);
    expect(Number.isSafeInteger(parsed.request_id)).toBe(false);
    expect((parsed.data as Record<string, unknown>).middleName).toBe('Adébáyọ̀ Ògúnlẹ́sì');
    expect(Object.keys(parsed)[0]).toBe('request_id'); // the reverse of the fixture's order
  });

  it('puts several MB of JPEG-like base64 into every image field', () => {
    const body = withPhotos(loadFixture('verification.completed', { product: 'document' }), 3 * 1024 * 1024);
    const text = JSON.stringify(body);
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(text).toMatch(/"\/9j\//);
  });
});

describe('choosing checks', () => {
  const all = battery(['verification.completed', 'workflow.process.completed']);
  it('takes ids, groups and globs, and leaves out what --skip names', () => {
    expect(selectChecks(all, ['forgery']).map((c) => c.id)).toEqual([
      'forgery.wrong-key',
      'forgery.changed-body',
      'forgery.missing-signature',
      'forgery.reserialised',
      'forgery.missing-token',
    ]);
    expect(selectChecks(all, ['genuine.workflow.*']).map((c) => c.id)).toEqual(['genuine.workflow.process.completed']);
    expect(selectChecks(all, [], ['genuine', 'speed', 'size', 'forgery', 'schemes', 'order', 'duplicates']).map((c) => c.id)).toEqual([
      'raw-bytes',
    ]);
  });

  it('refuses a name that selects nothing, with the closest ones', () => {
    expect(() => selectChecks(all, ['forgery.wrongkey'])).toThrow(DoctorError);
    try {
      selectChecks(all, ['forgery.wrongkey']);
    } catch (error) {
      expect((error as DoctorError).facts.suggestions).toContain('forgery.wrong-key');
    }
    expect(() => selectChecks(all, ['speed'], ['speed'])).toThrow(/leaves no check/);
  });
});

describe('the verdict', () => {
  it('fails on a required failure; advisory failures and warnings pass unless strict', () => {
    const advisory = [
      result({}),
      result({ id: 'schemes.identitypass', verdict: 'fail', required: false }),
      result({ id: 'x', verdict: 'warn' }),
    ];
    expect(summarise(advisory, 'http://127.0.0.1:3000/', 10)).toMatchObject({ passed: 1, failed: 0, warnings: 2, ok: true });
    expect(summarise(advisory, 'http://127.0.0.1:3000/', 10, true)).toMatchObject({ ok: false });
    expect(summarise([result({ verdict: 'fail' })], 'http://u:p@127.0.0.1:3000/', 10)).toMatchObject({
      failed: 1,
      ok: false,
      url: 'http://***:***@127.0.0.1:3000/',
    });
  });
});

describe('JUnit XML', () => {
  it('escapes what the handler answered, including characters XML cannot hold', () => {
    const failing = result({ verdict: 'fail', got: '500 in 3 ms: <html>&"\'\u0007\u001b[31m', fix: 'a < b & c' });
    const xml = junitXml([failing, result({ id: 'speed', group: 'speed' })], summarise([failing], 'http://127.0.0.1/', 5));
    expect(xml).toContain('got: 500 in 3 ms: &lt;html&gt;&amp;&quot;&apos;\\x07␛[31m'); // escapes shown as everywhere else
    expect(xml).toContain('<failure message="a &lt; b &amp; c" type="failure">');
    expect(xml).toMatch(/tests="2" failures="1"/);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { DeliveryResult } from '../../../src/core/trigger/send.js';
import { hintFor, resultJson, resultLines, sendSummary } from '../../../src/output/render/send-report.js';

const base: DeliveryResult = {
  event: 'verification.completed',
  role: 'single',
  tamper: null,
  reference: 'r',
  token: 't',
  url: 'http://127.0.0.1:1/webhook',
  status: 201,
  ok: false,
  ms: 1,
  expected: '200',
  reply: '',
  error: null,
  problem: { code: 'not-exactly-200' },
  warning: null,
  key: 'sandbox',
  note: null,
  shown: null,
  redirects: [],
};

describe('send report', () => {
  it('explains each problem in Identitypass terms, naming the flag to change', () => {
    expect(hintFor(base)).toMatch(/anything but 200/);
    expect(hintFor({ ...base, status: 302, problem: { code: 'redirect' } })).toMatch(/redirects.*--to/);
    expect(hintFor({ ...base, status: 401, problem: { code: 'genuine-rejected' } })).toMatch(
      /raw body bytes with that key and the HMAC scheme/,
    );
    expect(hintFor({ ...base, tamper: 'replay', status: 200, problem: { code: 'tamper-accepted' } })).toMatch(/token/);
    expect(hintFor({ ...base, tamper: 'signature', status: 200, problem: { code: 'tamper-accepted' } })).toMatch(/must answer 401/);
    expect(hintFor({ ...base, status: null, problem: { code: 'timeout', timeoutMs: 10_000 } })).toMatch(/waits 10 s/);
    expect(hintFor({ ...base, status: null, problem: { code: 'timeout', timeoutMs: 300 } })).toMatch(/--timeout 300ms/);
    expect(hintFor({ ...base, ok: true, status: 200, problem: null })).toBeNull();
  });

  it('puts the hint in the JSON form and the text lines', () => {
    expect(resultJson(base)).toMatchObject({ status: 201, ok: false, hint: expect.stringMatching(/anything but 200/) });
    const lines = resultLines(base, new Chalk({ level: 0 }));
    expect(lines[0]).toMatch(/^✘ verification\.completed \(sandbox key\) {2}201 expected 200 {2}ref r/);
    expect(lines).toContain('    reply: (empty)');
    expect(lines.at(-1)).toMatch(/^ {4}hint: /);
  });

  it('sums up only when there is something to sum up', () => {
    expect(sendSummary(1, 1, 0)).toBeNull();
    expect(sendSummary(2, 1, 1)).toBe('2 deliveries: 0 ok, 1 failed, 1 not sent');
  });
});

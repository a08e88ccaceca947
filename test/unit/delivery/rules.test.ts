import { describe, expect, it } from 'vitest';
import { deliveredStatus, forwardVerdict, parseStatusExpectation, premblyVerdict } from '../../../src/core/delivery/rules.js';
import { verdictWords } from '../../../src/output/render/verdict.js';

const acceptanceWarning = (status: number, ms: number, event: string | null = null) =>
  verdictWords(premblyVerdict(event, { status, ms }), { status, ms }, event);

describe('what Identitypass accepts as delivered', () => {
  it('warns about answers Identitypass would count as failed', () => {
    expect(acceptanceWarning(200, 50)).toBeNull();
    expect(acceptanceWarning(201, 50)).toMatch(/exactly 200/);
    expect(acceptanceWarning(301, 50)).toMatch(/redirects/);
    expect(acceptanceWarning(500, 50)).toMatch(/failed/);
    expect(acceptanceWarning(200, 12_000)).toMatch(/gives up after 10 s/);
  });

  it('warns for an app that did not answer, by cause', () => {
    const reply = { url: 'u', status: 504, answered: false, ms: 10_000, contentType: null, body: Buffer.alloc(0), preview: '' };
    expect(forwardVerdict({ ...reply, error: { kind: 'timeout', message: 'm' } }, null)).toBe('timed-out');
    expect(forwardVerdict({ ...reply, status: 502, error: { kind: 'refused', message: 'm' } }, null)).toBe('no-answer');
    expect(forwardVerdict({ ...reply, status: 200, answered: true, ms: 5, error: null }, null)).toBe('delivered');
    expect(verdictWords('timed-out', { status: null, ms: 10_000 }, null)).toMatch(/waits 10 s/);
    expect(verdictWords('no-answer', { status: null, ms: 10 }, null)).toMatch(/no answer/);
  });

  it('takes any 2xx from workflow receivers and exactly 200 from the rest', () => {
    expect(deliveredStatus('workflow.process.completed').matches(202)).toBe(true);
    expect(deliveredStatus('verification.completed').matches(202)).toBe(false);
    expect(deliveredStatus('verification.completed').matches(200)).toBe(true);
    expect(premblyVerdict('workflow.process.completed', { status: 202, ms: 5 })).toBe('delivered');
    expect(premblyVerdict('verification.completed', { status: 202, ms: 5 })).toBe('not-exactly-200');
    expect(premblyVerdict('workflow.process.completed', { status: 302, ms: 5 })).toBe('redirect-not-followed');
    expect(premblyVerdict('verification.completed', { status: 302, ms: 5 })).toBe('redirect-not-forwarded');
  });
});

describe('status expectations', () => {
  it('matches codes, classes and lists', () => {
    expect(parseStatusExpectation('200').matches(200)).toBe(true);
    expect(parseStatusExpectation('200').matches(201)).toBe(false);
    expect(parseStatusExpectation('2xx').matches(204)).toBe(true);
    expect(parseStatusExpectation('4XX').matches(401)).toBe(true);
    expect(parseStatusExpectation('4xx').matches(500)).toBe(false);
    const list = parseStatusExpectation('200, 202');
    expect([200, 201, 202].map(list.matches)).toEqual([true, false, true]);
    expect(list.text).toBe('200,202');
  });
});

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { matchesAll, parseRelayRule, RelayFilterError } from '../../../src/core/relay/filter.js';

const row = (seq: number, body: unknown, headers: [string, string][] = []) => ({
  seq,
  receivedAt: new Date().toISOString(),
  method: 'POST',
  path: '/',
  query: '',
  headers,
  body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

describe('relay filter rules', () => {
  const completed = { verification: { status: 'VERIFIED', reference: 'ada-42' }, billing_info: {}, data: { nin: 123, tags: ['a'] } };

  it('event patterns, dot.path=value and dot.path^=prefix; every rule must match', () => {
    const rules = (...texts: string[]) => texts.map(parseRelayRule);
    expect(matchesAll(rules('verification.*'), 'c1', row(1, completed))).toBe(true);
    expect(matchesAll(rules('workflow.*'), 'c1', row(1, completed))).toBe(false);
    expect(matchesAll(rules('verification.reference=ada-42'), 'c1', row(1, completed))).toBe(true);
    expect(matchesAll(rules('verification.reference^=ada-'), 'c1', row(1, completed))).toBe(true);
    expect(matchesAll(rules('verification.reference^=bola-'), 'c1', row(1, completed))).toBe(false);
    // numbers and objects compare as their JSON text; a missing path never matches
    expect(matchesAll(rules('data.nin=123'), 'c1', row(1, completed))).toBe(true);
    expect(matchesAll(rules('data.tags=["a"]'), 'c1', row(1, completed))).toBe(true);
    expect(matchesAll(rules('data.missing=x'), 'c1', row(1, completed))).toBe(false);
    expect(matchesAll(rules('verification.*', 'verification.reference^=bola-'), 'c1', row(1, completed))).toBe(false);
    expect(matchesAll([], 'c1', row(1, 'not json'))).toBe(true);
    expect(matchesAll(rules('verification.reference^=a'), 'c1', row(2, 'not json'))).toBe(false);
  });

  it('looks inside a compressed body, and never at an inherited key', () => {
    const zipped = row(3, gzipSync(JSON.stringify(completed)), [['Content-Encoding', 'gzip']]);
    expect(matchesAll([parseRelayRule('verification.reference=ada-42')], 'c2', zipped)).toBe(true);
    expect(matchesAll([parseRelayRule('verification.constructor^=f')], 'c2', row(4, completed))).toBe(false);
  });

  it('a body nested 50,000 deep: a path into it is looked at without a crash', () => {
    const deep = row(9, '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
    expect(matchesAll([parseRelayRule('a.a.a=1')], 'c3', deep)).toBe(false);
    expect(matchesAll([parseRelayRule('a^={')], 'c3', deep)).toBe(false);
  });

  it('a rule that cannot match anything is refused with why', () => {
    expect(() => parseRelayRule('no.such.event.*')).toThrow(RelayFilterError);
    expect(() => parseRelayRule('a..b=1')).toThrow(/dot-separated keys/);
    expect(() => parseRelayRule('')).toThrow(RelayFilterError);
    expect(() => parseRelayRule('x'.repeat(600))).toThrow(RelayFilterError);
  });
});

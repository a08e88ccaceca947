import { describe, expect, it } from 'vitest';
import { getPath, parseAssignment, PathError, setPath, unsetPath } from '../../src/core/json-path.js';
import { suggestNames, EVENT_NAMES } from '../../src/core/events.js';
import { formatDuration, parseDuration, parseHttpUrl, parseSize, parseStatusExpectation, ValueError } from '../../src/core/units.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['0', 0],
    [' 3S ', 3000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '2', 'abc', '2x', '-1s', '1 minute'])('refuses %j with a hint', (text) => {
    expect(() => parseDuration(text)).toThrow(ValueError);
  });

  it('suggests a unit for a bare number', () => {
    expect(() => parseDuration('5')).toThrow(/5s or 5ms/);
  });

  it('formats durations back', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(2000)).toBe('2s');
    expect(formatDuration(90_000)).toBe('1.5m');
  });
});

describe('sizes', () => {
  it('parses units', () => {
    expect(parseSize('10mb')).toBe(10 * 1024 * 1024);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('100')).toBe(100);
    expect(() => parseSize('ten')).toThrow(ValueError);
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

  it.each(['20', '600', 'ok', '2xxx', ''])('refuses %j', (text) => {
    expect(() => parseStatusExpectation(text)).toThrow(ValueError);
  });
});

describe('urls', () => {
  it('accepts http and https only, with a hint for a missing scheme', () => {
    expect(parseHttpUrl('http://127.0.0.1:3000/hook', '--to').port).toBe('3000');
    expect(() => parseHttpUrl('ftp://x', '--to')).toThrow(/http/);
    expect(() => parseHttpUrl('localhost:3000/hook', '--to')).toThrow(/http/);
    expect(() => parseHttpUrl('127.0.0.1:3000', '--to')).toThrow(/did you mean http:\/\/127\.0\.0\.1:3000/);
  });
});

describe('dot paths', () => {
  it('sets, creates, gets and unsets', () => {
    const body: Record<string, unknown> = { data: { firstName: 'A', images: ['x', 'y'] } };
    setPath(body, 'data.firstName', 'Ada');
    setPath(body, 'verification.reference', 'abc');
    setPath(body, 'data.images.1', 'z');
    expect(body).toEqual({ data: { firstName: 'Ada', images: ['x', 'z'] }, verification: { reference: 'abc' } });
    expect(getPath(body, 'data.images.0')).toBe('x');
    expect(getPath(body, 'nope.deeper')).toBeUndefined();
    expect(unsetPath(body, 'data.firstName')).toBe(true);
    expect(unsetPath(body, 'data.firstName')).toBe(false);
    expect(unsetPath(body, 'data.images.0')).toBe(true);
    expect(body.data).toEqual({ images: ['z'] });
  });

  it('refuses to walk through a string and bad paths', () => {
    expect(() => setPath({ status: 'x' }, 'status.deep', 1)).toThrow(/status is "x", not an object/);
    expect(() => setPath({}, 'a..b', 1)).toThrow(PathError);
    expect(() => setPath({ list: [] }, 'list.name', 1)).toThrow(/index/);
  });

  it('parses assignments, JSON when it parses and text otherwise', () => {
    expect(parseAssignment('data.age=42')).toEqual({ path: 'data.age', value: 42 });
    expect(parseAssignment('status=false')).toEqual({ path: 'status', value: false });
    expect(parseAssignment('data.firstName=Ada')).toEqual({ path: 'data.firstName', value: 'Ada' });
    expect(parseAssignment('data.code="00"')).toEqual({ path: 'data.code', value: '00' });
    expect(parseAssignment('data={"a":[1]}')).toEqual({ path: 'data', value: { a: [1] } });
    expect(parseAssignment('note=a=b')).toEqual({ path: 'note', value: 'a=b' });
    expect(parseAssignment('empty=')).toEqual({ path: 'empty', value: '' });
    expect(() => parseAssignment('no-equals')).toThrow(PathError);
    expect(() => parseAssignment('=value')).toThrow(PathError);
  });
});

describe('suggestions', () => {
  it('finds near misses and partial names', () => {
    expect(suggestNames('verification.complete', EVENT_NAMES)[0]).toBe('verification.completed');
    expect(suggestNames('verifcation.pending', EVENT_NAMES)[0]).toBe('verification.pending');
    expect(suggestNames('manual_review', EVENT_NAMES)).toEqual(['workflow.process.manual_review']);
    expect(suggestNames('zzzzzzzz', EVENT_NAMES)).toEqual([]);
  });
});

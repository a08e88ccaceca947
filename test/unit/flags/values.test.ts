import { describe, expect, it } from 'vitest';
import { parseAssignment, parseStatusExpectation } from '../../../src/flags/domain.js';
import {
  parseDuration,
  parseHeaderLine,
  parsePort,
  parseSize,
  parseHttpUrl,
  parseSubdomain,
  ValueError,
} from '../../../src/flags/values.js';

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
});

describe('sizes', () => {
  it('parses units', () => {
    expect(parseSize('10mb')).toBe(10 * 1024 * 1024);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('100b')).toBe(100);
    expect(() => parseSize('100')).toThrow(/add a unit: 100mb, 100kb or 100b/);
    expect(() => parseSize('ten')).toThrow(ValueError);
  });
});

describe('status expectations', () => {
  it.each(['20', '600', 'ok', '2xxx', ''])('refuses %j', (text) => {
    expect(() => parseStatusExpectation(text)).toThrow(ValueError);
  });
});

describe('urls', () => {
  it('accepts http and https, and bare loopback addresses as http, like stripe listen --forward-to', () => {
    expect(parseHttpUrl('http://127.0.0.1:3000/hook', '--to').port).toBe('3000');
    expect(parseHttpUrl('localhost:3000/hook', '--to').href).toBe('http://localhost:3000/hook');
    expect(parseHttpUrl(':3000/hook', '--to').href).toBe('http://127.0.0.1:3000/hook');
    expect(parseHttpUrl('127.0.0.1:4567', '--to').href).toBe('http://127.0.0.1:4567/');
  });

  it('refuses the rest with a suggestion that is a real URL, saying it once', () => {
    expect(() => parseHttpUrl('ftp://x', '--to')).toThrow(/must be an http:\/\/ or https:\/\/ URL$/);
    expect(() => parseHttpUrl('3000', '--to')).toThrow(/did you mean http:\/\/127\.0\.0\.1:3000\/webhook/);
    expect(() => parseHttpUrl('localtunnel.me', '--tunnel-host')).toThrow(/did you mean https:\/\/localtunnel\.me\?/);
    expect(() => parseHttpUrl('example.com:99/x', '--to')).toThrow(/did you mean http:\/\/example\.com:99\/x\?/);
  });
});

describe('assignments', () => {
  it('parses assignments, JSON when it parses and text otherwise', () => {
    expect(parseAssignment('data.age=42')).toEqual({ path: 'data.age', value: 42 });
    expect(parseAssignment('status=false')).toEqual({ path: 'status', value: false });
    expect(parseAssignment('data.firstName=Ada')).toEqual({ path: 'data.firstName', value: 'Ada' });
    expect(parseAssignment('data.code="00"')).toEqual({ path: 'data.code', value: '00' });
    expect(parseAssignment('data={"a":[1]}')).toEqual({ path: 'data', value: { a: [1] } });
    expect(parseAssignment('note=a=b')).toEqual({ path: 'note', value: 'a=b' });
    expect(parseAssignment('empty=')).toEqual({ path: 'empty', value: '' });
    expect(() => parseAssignment('no-equals')).toThrow(ValueError);
    expect(() => parseAssignment('=value')).toThrow(ValueError);
  });
});

describe('ports, headers and subdomains', () => {
  it('takes ports from 0 to 65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('4567')).toBe(4567);
    expect(() => parsePort('65536')).toThrow(/not a port/);
    expect(() => parsePort('http')).toThrow(ValueError);
  });

  it('splits header lines at the first colon', () => {
    expect(parseHeaderLine('token: a:b')).toEqual(['token', 'a:b']);
    expect(() => parseHeaderLine('no colon')).toThrow(/name: value/);
    expect(() => parseHeaderLine('bad name: x')).toThrow(/not a header name/);
  });

  it('accepts the subdomains localtunnel servers accept', () => {
    expect(parseSubdomain('my-app-1')).toBe('my-app-1');
    expect(() => parseSubdomain('Bad_Name')).toThrow(/subdomain/);
  });
});

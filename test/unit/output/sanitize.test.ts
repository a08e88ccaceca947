import { describe, expect, it } from 'vitest';
import { safeJson, visible } from '../../../src/output/sanitize.js';

describe('visible', () => {
  it('shows ESC, the other C0 and C1 controls, DEL and bidi overrides as escapes', () => {
    expect(visible('\u001b]0;pwned\u0007title')).toBe('␛]0;pwned\\x07title');
    expect(visible('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(visible('x\u009b2Jy\u007f')).toBe('x\\x9b2Jy\\x7f');
    expect(visible('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
    expect(visible('plain text, ünïcødé and emoji 🙂')).toBe('plain text, ünïcødé and emoji 🙂');
    expect(visible(null)).toBe('');
  });
});

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw, and the value reads back the same', () => {
    const value = { a: '\u001b[2J', b: '\u009b31m', c: '\u202e' };
    const text = safeJson(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('escapes every unsafe character in a long line, and leaves a clean line as it is', () => {
    const value = { text: 'a'.repeat(10_000) + '\u2028\u0085\u2066' + 'b'.repeat(10) + '\u007f' };
    const text = safeJson(value);
    expect(text).toContain('\\u2028\\u0085\\u2066' + 'b'.repeat(10) + '\\u007f');
    expect(JSON.parse(text)).toEqual(value);
    const clean = { text: 'ünïcødé 🙂 '.repeat(100) };
    expect(safeJson(clean)).toBe(JSON.stringify(clean));
  });
});

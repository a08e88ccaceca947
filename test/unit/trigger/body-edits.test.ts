import { describe, expect, it } from 'vitest';
import { getPath, PathError, setPath, unsetPath } from '../../../src/core/trigger/body-edits.js';

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
});

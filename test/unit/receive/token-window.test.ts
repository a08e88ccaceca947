import { describe, expect, it } from 'vitest';
import { TokenWindow } from '../../../src/core/receive/token-window.js';

describe('TokenWindow', () => {
  it('tells a repeat from a first sighting, and empty tokens are never repeats', () => {
    const w = new TokenWindow(3);
    expect(w.seen('a')).toBe(false);
    expect(w.seen('a')).toBe(true);
    expect(w.seen('')).toBe(false);
    expect(w.seen(null)).toBe(false);
    expect(w.seen(undefined)).toBe(false);
  });

  it('forgets the oldest token past its capacity, in order of arrival, over many turns of the ring', () => {
    const w = new TokenWindow(3);
    for (let i = 0; i < 1000; i++) w.remember(`t${i}`);
    expect(['t996', 't997', 't998', 't999'].map((t) => w.has(t))).toEqual([false, true, true, true]);
    expect(w.seen('t996')).toBe(false);
    expect(['t997', 't998', 't999'].map((t) => w.has(t))).toEqual([false, true, true]);
  });

  it('a forgotten token seen again keeps its new place: its old slot coming round does not forget it', () => {
    const w = new TokenWindow(3);
    w.remember('a');
    w.remember('b');
    w.forget('a');
    expect(w.has('a')).toBe(false);
    w.remember('a'); // slot 2
    w.remember('c'); // slot 0 (held the old 'a'): 'a' stays
    expect(w.has('a')).toBe(true);
    w.remember('d'); // slot 1: 'b' goes
    expect(['a', 'b', 'c', 'd'].map((t) => w.has(t))).toEqual([true, false, true, true]);
    w.remember('e'); // slot 2: now 'a' goes
    expect(w.has('a')).toBe(false);
  });

  it('remembering a token it holds changes nothing', () => {
    const w = new TokenWindow(2);
    w.remember('a');
    w.remember('a');
    w.remember('b');
    expect([w.has('a'), w.has('b')]).toEqual([true, true]);
  });

  it('capacity 0 remembers nothing (it once divided by zero and kept every token); a fraction or a negative is refused', () => {
    const w = new TokenWindow(0);
    for (let i = 0; i < 100; i++) w.remember(`t${i}`);
    expect(w.seen('t1')).toBe(false);
    expect(w.seen('t1')).toBe(false);
    expect(() => new TokenWindow(-1)).toThrow(TypeError);
    expect(() => new TokenWindow(1.5)).toThrow(TypeError);
  });

  it('a long token is kept by its hash: still a repeat when it comes again, still distinct from one that differs at the end', () => {
    const w = new TokenWindow(10);
    const long = 'x'.repeat(15_000);
    expect(w.seen(long)).toBe(false);
    expect(w.seen(long)).toBe(true);
    expect(w.seen(long + 'y')).toBe(false);
    w.forget(long);
    expect(w.has(long)).toBe(false);
  });
});

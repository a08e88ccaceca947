import { describe, expect, it } from 'vitest';
import { clockTime, formatDuration, webhookUrl } from '../../../src/output/render/format.js';

describe('formats', () => {
  it('formats durations', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(2000)).toBe('2s');
    expect(formatDuration(90_000)).toBe('1.5m');
  });

  it('writes local clock time with two digits each', () => {
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('03:04:05');
  });

  it('appends /webhook to a tunnel URL once', () => {
    expect(webhookUrl('https://a.loca.lt/')).toBe('https://a.loca.lt/webhook');
  });
});

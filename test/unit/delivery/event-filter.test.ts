import { describe, expect, it } from 'vitest';
import { compileEventPatterns, EventPatternError } from '../../../src/core/delivery/event-filter.js';
import { parseEventPatterns } from '../../../src/flags/domain.js';
import { ValueError } from '../../../src/flags/values.js';

describe('event patterns', () => {
  it('matches names and globs', () => {
    const match = parseEventPatterns('verification.*, workflow.process.failed');
    expect(match('verification.completed')).toBe(true);
    expect(match('verification.async.completed')).toBe(true);
    expect(match('workflow.process.failed')).toBe(true);
    expect(match('workflow.process.completed')).toBe(false);
    expect(match(null)).toBe(false);
    expect(parseEventPatterns('*')('sdk.session.completed')).toBe(true);
  });

  it('refuses entries that match nothing, with suggestions and the flag named', () => {
    expect(() => parseEventPatterns('verification.complete', '--wait-for')).toThrow(
      /^--wait-for: "verification\.complete" matches no event/,
    );
    expect(() => parseEventPatterns('verification.complete')).toThrow(/did you mean verification\.completed/);
    expect(() => parseEventPatterns('payment.*')).toThrow(ValueError);
    expect(() => parseEventPatterns(' , ')).toThrow(/at least one/);
  });
});

describe('compileEventPatterns (core)', () => {
  it('throws a coded error with the suggestions as facts, naming no flag', () => {
    try {
      compileEventPatterns('verification.complete');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventPatternError);
      expect((error as EventPatternError).code).toBe('matches-no-event');
      expect((error as EventPatternError).facts.suggestions).toContain('verification.completed');
      expect((error as Error).message).not.toMatch(/--/);
    }
  });
});

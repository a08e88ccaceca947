import { describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '../../../src/core/delivery/catalog.js';
import { suggestNames } from '../../../src/core/delivery/suggest.js';

describe('suggestions', () => {
  it('finds near misses and partial names', () => {
    expect(suggestNames('verification.complete', EVENT_NAMES)[0]).toBe('verification.completed');
    expect(suggestNames('verifcation.pending', EVENT_NAMES)[0]).toBe('verification.pending');
    expect(suggestNames('manual_review', EVENT_NAMES)).toEqual(['workflow.process.manual_review']);
    expect(suggestNames('zzzzzzzz', EVENT_NAMES)).toEqual([]);
  });
});

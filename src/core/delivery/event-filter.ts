/** Event name patterns as users type them: `verification.completed`, `verification.*`, `*`. */

import { CoreError } from '../common/errors.js';
import { EVENT_NAMES } from './catalog.js';
import { suggestNames } from './suggest.js';

export type EventFilter = (event: string | null) => boolean;

export type EventPatternErrorCode = 'no-patterns' | 'matches-no-event';

export class EventPatternError extends CoreError<EventPatternErrorCode, { entry?: string; suggestions: string[] }> {}

function toRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Compiles a comma-separated list of event names and globs into a predicate. Every entry must name
 * or match a known event, so a typo is an error rather than a filter that silently drops everything.
 */
export function compileEventPatterns(list: string): EventFilter {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EventPatternError('no-patterns', 'no event name given', { suggestions: [] });
  const patterns = entries.map((entry) => {
    const re = toRegExp(entry);
    if (!EVENT_NAMES.some((name) => re.test(name))) {
      const suggestions = suggestNames(entry.replace(/\*/g, ''), EVENT_NAMES);
      throw new EventPatternError('matches-no-event', `"${entry}" matches no event`, { entry, suggestions });
    }
    return re;
  });
  return (event) => event !== null && patterns.some((re) => re.test(event));
}

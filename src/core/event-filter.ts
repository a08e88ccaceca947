import { EVENT_NAMES, suggestNames } from './events.js';
import { ValueError } from './units.js';

/** Event name patterns as users type them: `verification.completed`, `verification.*`, `*`. */

export class PatternError extends ValueError {}

function toRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Parses a comma-separated list of event names and globs into a predicate. Every entry must name
 * or match a known event, so a typo is an error rather than a filter that silently drops everything.
 */
export function parseEventPatterns(list: string, flag = '--events'): (event: string | null) => boolean {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new PatternError(`${flag} needs at least one event name, like verification.completed or verification.*`);
  const patterns = entries.map((entry) => {
    const re = toRegExp(entry);
    if (!EVENT_NAMES.some((name) => re.test(name))) {
      const close = suggestNames(entry.replace(/\*/g, ''), EVENT_NAMES);
      throw new PatternError(
        `${flag}: "${entry}" matches no event` + (close.length ? `; did you mean ${close.join(', ')}?` : '') + ' (idpass trigger --list shows them all)',
      );
    }
    return re;
  });
  return (event) => event !== null && patterns.some((re) => re.test(event));
}

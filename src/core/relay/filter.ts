/**
 * A client's filter, evaluated on the relay so an unmatched body never leaves it: rules are
 * event patterns (`verification.*`, comma-separated), `dot.path=value` (the JSON value at that
 * path, as text, equals) and `dot.path^=prefix` (starts with). Every rule of a client must match.
 * The body is decoded (gzip and the like) and parsed once per delivery however many clients ask
 * about the same paths.
 */

import { parseBody } from '../delivery/describe.js';
import { compileEventPatterns, EventPatternError, type EventFilter } from '../delivery/event-filter.js';
import type { RelayDelivery } from './storage.js';

export type RelayRule =
  { kind: 'event'; text: string; match: EventFilter } | { kind: 'equals' | 'prefix'; text: string; path: string[]; value: string };

export class RelayFilterError extends Error {}

const MAX_RULE = 500;

export function parseRelayRule(text: string): RelayRule {
  const rule = text.trim();
  if (rule === '' || rule.length > MAX_RULE) throw new RelayFilterError(`a filter rule is 1 to ${MAX_RULE} characters`);
  const at = rule.search(/\^?=/);
  if (at < 0) {
    try {
      return { kind: 'event', text: rule, match: compileEventPatterns(rule) };
    } catch (error) {
      if (error instanceof EventPatternError) throw new RelayFilterError(`"${rule}" matches no event (idpass trigger --list shows them)`);
      throw error;
    }
  }
  const prefix = rule[at] === '^';
  const path = rule.slice(0, at).split('.');
  if (path.some((part) => part === ''))
    throw new RelayFilterError(`"${rule}": the path before ${prefix ? '^=' : '='} is dot-separated keys, like verification.reference`);
  return { kind: prefix ? 'prefix' : 'equals', text: rule, path, value: rule.slice(at + (prefix ? 2 : 1)) };
}

interface Seen {
  event: string | null;
  /** The value at each path some client asked about, keyed by the path as JSON. */
  values: Map<string, string | null>;
}

/**
 * What rules look at in a delivery, worked out once for every stream: the event and the values at
 * the paths asked about, kept per channel and sequence (the newest 10,000), never the parsed body.
 */
const seen = new Map<string, Seen>();
const MAX_SEEN = 10_000;

function look(key: string, d: RelayDelivery, paths: string[][]): Seen {
  let s = seen.get(key);
  if (s && paths.every((path) => s!.values.has(JSON.stringify(path)))) return s;
  const parsed = parseBody(d.body, d.headers);
  s ??= { event: parsed.jsonError ? null : parsed.classification.event, values: new Map() };
  for (const path of paths) s.values.set(JSON.stringify(path), valueAt(parsed.json, path));
  seen.delete(key);
  seen.set(key, s);
  if (seen.size > MAX_SEEN) seen.delete(seen.keys().next().value!);
  return s;
}

function valueAt(json: unknown, path: string[]): string | null {
  let here: unknown = json;
  for (const key of path) {
    if (typeof here !== 'object' || here === null || !Object.hasOwn(here, key)) return null;
    here = (here as Record<string, unknown>)[key];
  }
  if (here === null || here === undefined) return null;
  if (typeof here !== 'object') return String(here);
  try {
    return JSON.stringify(here);
  } catch {
    // nested too deep to write out: no rule's value can equal it
    return null;
  }
}

export function matchesAll(rules: RelayRule[], channelId: string, d: RelayDelivery): boolean {
  if (rules.length === 0) return true;
  const paths = rules.flatMap((rule) => (rule.kind === 'event' ? [] : [rule.path]));
  const s = look(`${channelId}:${d.seq}`, d, paths);
  return rules.every((rule) => {
    if (rule.kind === 'event') return rule.match(s.event);
    const value = s.values.get(JSON.stringify(rule.path)) ?? null;
    if (value === null) return false;
    return rule.kind === 'equals' ? value === rule.value : value.startsWith(rule.value);
  });
}

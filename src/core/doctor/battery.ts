/** The battery: every check, in the order the card shows them, and choosing among them. */

import { EVENTS } from '../delivery/catalog.js';
import { suggestNames } from '../delivery/suggest.js';
import { FORGERY_KINDS, forgeryCheck, genuineCheck, rawBytesCheck, schemeCheck, sizeCheck, speedCheck } from './checks-delivery.js';
import { concurrentCheck, duplicateCheck, finalBeforePendingCheck, unknownReferenceCheck } from './checks-state.js';
import type { CheckSpec } from './spec.js';
import { DoctorError, type CheckGroup } from './types.js';

/** The kinds Prembly sends as webhooks (not the two it answers from the API instead). */
export const SENT_KINDS: readonly string[] = EVENTS.filter((e) => e.notSent === null).map((e) => e.name);

export const CHECK_GROUPS: readonly CheckGroup[] = ['genuine', 'schemes', 'forgery', 'raw-bytes', 'duplicates', 'order', 'size', 'speed'];

export function battery(events: readonly string[] = SENT_KINDS): CheckSpec[] {
  return [
    ...events.map(genuineCheck),
    schemeCheck('prembly-legacy'),
    schemeCheck('identitypass'),
    ...FORGERY_KINDS.map(forgeryCheck),
    rawBytesCheck,
    duplicateCheck('same-token'),
    duplicateCheck('new-token'),
    finalBeforePendingCheck,
    concurrentCheck,
    unknownReferenceCheck,
    sizeCheck,
    speedCheck,
  ];
}

/** Every check id for these kinds, for help and suggestions. */
export function checkIds(events: readonly string[] = SENT_KINDS): string[] {
  return battery(events).map((c) => c.id);
}

function matcher(pattern: string): (id: string) => boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  // a group name or an id prefix selects everything under it: "forgery", "genuine.workflow.*"
  return (id) => re.test(id) || id.startsWith(`${pattern}.`);
}

function compile(patterns: readonly string[], ids: string[]): ((id: string) => boolean)[] {
  return patterns.map((pattern) => {
    const test = matcher(pattern);
    if (!ids.some(test)) {
      throw new DoctorError('unknown-check', `"${pattern}" names no check`, {
        detail: pattern,
        suggestions: suggestNames(pattern, [...CHECK_GROUPS, ...ids]),
      });
    }
    return test;
  });
}

/** The checks to run: all, or those `only` names, less those `skip` names. Unknown names are errors. */
export function selectChecks(all: CheckSpec[], only: readonly string[] = [], skip: readonly string[] = []): CheckSpec[] {
  const ids = all.map((c) => c.id);
  const wanted = compile(only, ids);
  const unwanted = compile(skip, ids);
  const chosen = all.filter((c) => (wanted.length === 0 || wanted.some((t) => t(c.id))) && !unwanted.some((t) => t(c.id)));
  if (chosen.length === 0) throw new DoctorError('no-checks', 'that selection leaves no check to run');
  return chosen;
}

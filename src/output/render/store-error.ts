import type { ListenerFact } from '../../core/receive/facts.js';

/** What a store failure means for the user, and what to do about it. */
export function storeErrorText(fact: Extract<ListenerFact, { type: 'store-error' }>): string {
  return fact.phase === 'write'
    ? `cannot write to the store (${fact.path}): ${fact.cause}; deliveries are still answered, and recording resumes by itself once the store can be written`
    : `cannot use the store at ${fact.path}: ${fact.cause}; deliveries will be answered and shown but not recorded (set IDPASS_HOME or pass --no-store)`;
}

/** Recording works again after a write error: how many deliveries were answered but not recorded meanwhile. */
export function storeResumedText(fact: Extract<ListenerFact, { type: 'store-resumed' }>): string {
  const what = fact.missed === 1 ? '1 delivery was' : `${fact.missed} deliveries were`;
  return `recording resumed (${fact.path}): ${what} answered but not recorded while the store could not be written`;
}

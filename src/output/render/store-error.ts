import type { ListenerFact } from '../../core/receive/facts.js';

/** What a store failure means for the user, and what to do about it. */
export function storeErrorText(fact: Extract<ListenerFact, { type: 'store-error' }>): string {
  return fact.phase === 'write'
    ? `cannot write to the store (${fact.path}): ${fact.cause}; deliveries are still answered but no longer recorded`
    : `cannot use the store at ${fact.path}: ${fact.cause}; deliveries will be answered and shown but not recorded (set IDPASS_HOME or pass --no-store)`;
}

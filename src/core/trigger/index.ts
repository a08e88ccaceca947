/**
 * Trigger: planning signed sample deliveries (fixtures, body edits, tamper kinds, the pending →
 * final pair), sending them, and naming what each answer means at Identitypass.
 *
 * Promises: never prints; errors are TriggerError with a code, results carry problem codes.
 * May import: core/delivery, core/signing, core/http, core/defaults, core/core-error.
 */
export * from './tamper.js';
export * from './errors.js';
export * from './body-edits.js';
export * from './fixtures.js';
export * from './types.js';
export * from './plan.js';
export * from './pending.js';
export * from './send.js';
export * from './load.js';

/**
 * Flags: turning what a user typed into a value, or a ValueError that says what would work.
 *
 * Promises: pure; no I/O.
 * May import: core (for the domain's own parsers). Only commands import flags.
 */
export * from './values.js';
export * from './domain.js';

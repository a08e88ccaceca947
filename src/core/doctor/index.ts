/**
 * Doctor: a battery of named checks run against a developer's running webhook handler, each
 * judged against what Prembly does with the answer (exactly 200 within 10 s, retries, redirects),
 * with what was sent, what came back, what Prembly would do and how to fix it.
 *
 * Promises: never prints; results are data (verdicts and codes); an unreachable handler is a
 * DoctorError with a code.
 * May import: core/delivery, core/signing, core/http, core/trigger, core/core-error.
 */
export * from './types.js';
export * from './battery.js';
export * from './run.js';

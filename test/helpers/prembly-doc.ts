/**
 * Facts from Prembly's docs (`../shared/prembly-2026.md`), written out for tests independently of
 * src/, so a test compares the code with the doc rather than with itself.
 */

/** §1 "Which key signs which event": the kinds signed with the live public key, even from sandbox. */
export const LIVE_SIGNED_KINDS: readonly string[] = [
  'workflow.process.completed',
  'workflow.process.failed',
  'workflow.process.manual_review',
  'verification.async.completed',
  'verification.retry.completed',
  'verification.payment_retry.completed',
  'customer360.check.completed',
  'watchlist.identity_flagged',
];

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

/**
 * §2 "Event catalog", as idpass names the kinds: the nine rows, row 2 as its three events, row 5 as
 * its two retry flags, row 8 as the two transaction events the sample shows. Prembly POSTs these.
 */
export const POSTED_KINDS: readonly string[] = [
  'sdk.session.completed',
  'workflow.process.completed',
  'workflow.process.failed',
  'workflow.process.manual_review',
  'verification.completed',
  'verification.async.completed',
  'verification.retry.completed',
  'verification.payment_retry.completed',
  'statement.analysis.completed',
  'customer360.check.completed',
  'transaction.processed',
  'transaction.escalated',
  'watchlist.identity_flagged',
];

/** §2.3: a failed (01) or pending (02/03) direct call is only the API's answer, never POSTed; idpass still samples both. */
export const API_ONLY_KINDS: readonly string[] = ['verification.pending', 'verification.failed'];

/** Every kind `trigger --list` should name: what Prembly POSTs, and the two API-only answers. */
export const ALL_KINDS: readonly string[] = [...POSTED_KINDS, ...API_ONLY_KINDS];

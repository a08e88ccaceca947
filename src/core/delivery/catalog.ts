/**
 * The event catalog: one entry per kind of delivery Prembly sends (and the two it does not send for
 * direct API calls), with how to recognise it, the key that signs it, what counts as delivered,
 * whether redirects are followed, and the retry policy. Facts from Prembly's webhook guides
 * (`prembly-2026.md` §1–§3); `sample` says how much of the body shape is documented.
 * classify, trigger, listen, the live view and `trigger --list` all read it.
 */

import type { KeyKind } from '../signing/schemes.js';

export type { KeyKind } from '../signing/schemes.js';

export type EventFamily = 'direct-api' | 'sdk' | 'workflow' | 'async' | 'retry' | 'statement' | 'customer360' | 'transaction' | 'watchlist';

export interface RetryPolicy {
  /** Attempts in all, the first included: 1 means sent once. */
  attempts: number;
  /** The waits between attempts, and when Prembly retries at all. */
  schedule: string;
  /** The waits before the second, third, … attempt, in ms (none when sent once). */
  waitsMs: readonly number[];
  /** Which failed answers are retried: any failure, or only timeouts, no connection, 5xx, 408, 425, 429. */
  retryOn: 'any' | 'transient';
}

export interface EventInfo {
  name: string;
  description: string;
  family: EventFamily;
  /** How Prembly's event reference says to recognise it, in classification order. */
  marker: string;
  signedWith: KeyKind;
  /** Where Prembly sends it. */
  destination: string;
  /** What Prembly counts as delivered. */
  delivered: '200' | '2xx';
  followsRedirects: boolean;
  retries: RetryPolicy;
  /** How much of the sample body follows a documented example. */
  sample: 'documented' | 'partly documented' | 'inferred';
  /** Set when Prembly does not POST this kind for direct API calls: what it does instead. */
  notSent: string | null;
  /** Where the reference that ties deliveries together lives in the body. */
  referencePath: string;
  /** Takes a product record shape (direct-API verification bodies). */
  usesProduct: boolean;
  /** Can be the final result of a pending-first pair. */
  canFollowPending: boolean;
}

const MINUTE = 60_000;
const SENT_ONCE: RetryPolicy = {
  attempts: 1,
  schedule: 'sent once, never retried (fetch outstanding results from the API on a schedule)',
  waitsMs: [],
  retryOn: 'any',
};
const SDK_RETRIES: RetryPolicy = {
  attempts: 5,
  schedule: 'up to 5 attempts within 24 h of the session: after about 30 min, 1 h, 3 h, 6 h',
  waitsMs: [30 * MINUTE, 60 * MINUTE, 180 * MINUTE, 360 * MINUTE],
  retryOn: 'any',
};
const WORKFLOW_RETRIES: RetryPolicy = {
  attempts: 5,
  schedule: 'up to 5 attempts: at once, then after 1 min, 5 min, 30 min, 2 h; only on a timeout, no connection, 5xx, 408, 425 or 429',
  waitsMs: [MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE],
  retryOn: 'transient',
};
const ORG_URL = 'the organisation webhook URL';

/** What most kinds share: sent once to the organisation URL, exactly 200, redirects followed. */
const sentOnce = {
  destination: ORG_URL,
  delivered: '200',
  followsRedirects: true,
  retries: SENT_ONCE,
  notSent: null,
  usesProduct: false,
  canFollowPending: false,
} as const;

const direct = {
  ...sentOnce,
  family: 'direct-api',
  referencePath: 'verification.reference',
  usesProduct: true,
} as const;

const workflow = (outcome: string) =>
  ({
    name: `workflow.process.${outcome}`,
    family: 'workflow',
    marker: `event: "workflow.process.${outcome}"`,
    signedWith: 'live',
    destination: 'the workflow URL, then the organisation URL',
    delivered: '2xx',
    followsRedirects: false,
    retries: WORKFLOW_RETRIES,
    sample: 'inferred',
    notSent: null,
    referencePath: 'data.reference',
    usesProduct: false,
    canFollowPending: false,
  }) as const;

/** "Verification completed after a retry": a direct-API body plus its flag, signed with the live key. */
const retryResult = (name: string, description: string, flag: string): EventInfo => ({
  ...sentOnce,
  name,
  description: `${description} (${flag})`,
  family: 'retry',
  marker: `${flag}: true`,
  signedWith: 'live',
  sample: 'inferred',
  referencePath: 'verification.reference',
});

const transaction = (event: string, description: string, sample: EventInfo['sample']): EventInfo => ({
  ...sentOnce,
  name: event,
  description,
  family: 'transaction',
  marker: `data.event: "${event}"`,
  signedWith: 'sandbox',
  destination: `${ORG_URL} (escalations may have their own URL)`,
  sample,
  referencePath: 'data.screening_result.transaction_id',
});

export const EVENTS: readonly EventInfo[] = [
  {
    ...direct,
    name: 'verification.completed',
    description: 'a direct API verification returned a match (response_code 00); the body is the API response with billing_info',
    marker: 'verification + billing_info',
    signedWith: 'sandbox',
    sample: 'partly documented',
    notSent: null,
    canFollowPending: true,
  },
  {
    ...direct,
    name: 'verification.pending',
    description: 'PENDING (response_code 02): the provider was down and the verification will be retried',
    marker: 'verification.status "PENDING" (or status false with response_code 02)',
    signedWith: 'sandbox',
    sample: 'documented',
    notSent:
      'not sent by Prembly as a webhook for direct API calls: it is the API’s answer, and the final result arrives later as verification.retry.completed',
    canFollowPending: false,
  },
  {
    ...direct,
    name: 'verification.failed',
    description: 'NOT-VERIFIED (response_code 01, record not found)',
    marker: 'verification.status "NOT-VERIFIED" (or status false)',
    signedWith: 'sandbox',
    sample: 'documented',
    notSent: 'not sent by Prembly as a webhook for direct API calls (sent for SDK sessions / as the API’s answer)',
    canFollowPending: true,
  },
  retryResult('verification.retry.completed', 'a verification that failed during provider downtime finished later', 'is_callback_retry'),
  retryResult(
    'verification.payment_retry.completed',
    'a verification held for wallet funding (response_code 03) finished once the wallet was funded',
    'is_pending_payment_retry',
  ),
  {
    ...direct,
    name: 'verification.async.completed',
    description: 'an asynchronous verification finished',
    family: 'async',
    marker: 'data.verification_id + data.channel_code',
    signedWith: 'live',
    sample: 'partly documented',
    notSent: null,
    usesProduct: false,
    canFollowPending: false,
  },
  {
    ...sentOnce,
    name: 'sdk.session.completed',
    description: 'a user finished an SDK session, pass or fail',
    family: 'sdk',
    marker: 'data.widget_info + completed_at',
    signedWith: 'sandbox',
    retries: SDK_RETRIES,
    sample: 'partly documented',
    referencePath: 'verification.reference',
  },
  { ...workflow('completed'), description: 'a workflow run passed every step' },
  { ...workflow('failed'), description: 'a workflow run failed a step' },
  { ...workflow('manual_review'), description: 'a workflow run needs a person to review it' },
  {
    ...sentOnce,
    name: 'statement.analysis.completed',
    description: 'a bank-statement analysis succeeded (the analysis result)',
    family: 'statement',
    marker: 'data.analysis_result (undocumented: inferred)',
    signedWith: 'sandbox',
    sample: 'inferred',
    referencePath: 'data.reference',
  },
  {
    ...sentOnce,
    name: 'customer360.check.completed',
    description: 'a scheduled Customer 360 ongoing-monitoring check ran',
    family: 'customer360',
    marker: 'data.verification_id + data.channel_code, with data.monitoring_id (inferred: the docs give both kinds the same markers)',
    signedWith: 'live',
    sample: 'inferred',
    referencePath: 'data.reference',
  },
  transaction(
    'transaction.processed',
    'a transaction was screened (sent for every screened transaction, whatever its score)',
    'documented',
  ),
  transaction('transaction.escalated', 'a screened transaction was escalated for review', 'documented'),
  {
    ...sentOnce,
    name: 'watchlist.identity_flagged',
    description: 'identities verified on your platform matched the fraud watchlist',
    family: 'watchlist',
    marker: 'event: "watchlist.identity_flagged"',
    signedWith: 'live',
    destination: `${ORG_URL} (undocumented)`,
    sample: 'inferred',
    referencePath: 'data.reference',
  },
];

export const EVENT_NAMES: readonly string[] = EVENTS.map((e) => e.name);

export const PRODUCTS = ['bvn', 'nin', 'passport', 'drivers-license', 'voters-card', 'face', 'document'] as const;
export type Product = (typeof PRODUCTS)[number];

export function isProduct(value: string): value is Product {
  return (PRODUCTS as readonly string[]).includes(value);
}

export function findEvent(name: string): EventInfo | undefined {
  return EVENTS.find((e) => e.name === name);
}

/** The delivery kinds `trigger` can send and `listen` can name. One fixture file each. */
export interface EventInfo {
  name: string;
  description: string;
  /** Where the reference that ties deliveries together lives in the body. */
  referencePath: string;
  /** Takes a product record shape (direct-API verification bodies). */
  usesProduct: boolean;
  /** Can be the final delivery of a pending-first pair. */
  canFollowPending: boolean;
}

export const EVENTS: readonly EventInfo[] = [
  {
    name: 'verification.completed',
    description: 'a direct API verification that came back VERIFIED (response_code 00)',
    referencePath: 'verification.reference',
    usesProduct: true,
    canFollowPending: true,
  },
  {
    name: 'verification.pending',
    description: 'the registry was down: PENDING (response_code 02), to be retried by Identitypass',
    referencePath: 'verification.reference',
    usesProduct: true,
    canFollowPending: false,
  },
  {
    name: 'verification.failed',
    description: 'a direct API verification that came back NOT-VERIFIED (response_code 01, record not found)',
    referencePath: 'verification.reference',
    usesProduct: true,
    canFollowPending: true,
  },
  {
    name: 'verification.async.completed',
    description: 'an asynchronous verification finished (carries data.verification_id and data.channel_code)',
    referencePath: 'verification.reference',
    usesProduct: false,
    canFollowPending: false,
  },
  {
    name: 'sdk.session.completed',
    description: 'a customer finished an SDK / checker-widget session (widget_info, images, device data)',
    referencePath: 'verification.reference',
    usesProduct: false,
    canFollowPending: false,
  },
  {
    name: 'workflow.process.completed',
    description: 'a workflow run passed every step',
    referencePath: 'data.reference',
    usesProduct: false,
    canFollowPending: false,
  },
  {
    name: 'workflow.process.failed',
    description: 'a workflow run failed a step',
    referencePath: 'data.reference',
    usesProduct: false,
    canFollowPending: false,
  },
  {
    name: 'workflow.process.manual_review',
    description: 'a workflow run needs a person to review it',
    referencePath: 'data.reference',
    usesProduct: false,
    canFollowPending: false,
  },
  {
    name: 'watchlist.identity_flagged',
    description: 'a monitored identity matched a watchlist (PEP, sanctions)',
    referencePath: 'data.reference',
    usesProduct: false,
    canFollowPending: false,
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

/** Naming a delivery by its shape, and pulling out the verification result inside it. */

export type IdentityStatus = 'VERIFIED' | 'NOT-VERIFIED' | 'PENDING';

export const RESPONSE_CODES: Readonly<Record<string, string>> = {
  '00': 'success',
  '01': 'record not found',
  '02': 'service unavailable, retry later',
  '03': 'insufficient wallet balance',
  '07': 'BVN blocked or watch-listed',
};

/** The response code that means "try again later", i.e. a pending rather than a failed result. */
const PENDING_CODE = '02';

export interface Classification {
  /** Our event name, or null when the body matches no known shape. */
  event: string | null;
  /** PORTAL or CHECKOUT when the body came wrapped in a source envelope. */
  envelope: 'PORTAL' | 'CHECKOUT' | null;
  identityStatus: IdentityStatus | null;
  /** The top-level `status` flag: whether the call itself succeeded. */
  callSucceeded: boolean | null;
  responseCode: string | null;
  responseMeaning: string | null;
  /** `endpoint_name`, e.g. "BVN Basic". */
  product: string | null;
  reference: string | null;
  /** `is_callback_retry` or `is_pending_payment_retry`. */
  retry: boolean;
  detail: string | null;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function toIdentityStatus(value: unknown): IdentityStatus | null {
  const text = str(value)?.toUpperCase().replace(/_/g, '-');
  return text === 'VERIFIED' || text === 'NOT-VERIFIED' || text === 'PENDING' ? text : null;
}

const NAMED_EVENTS = new Set([
  'workflow.process.completed',
  'workflow.process.failed',
  'workflow.process.manual_review',
  'watchlist.identity_flagged',
]);

/** Classifies a parsed delivery body by the documented rules, in their documented order. */
export function classify(body: unknown): Classification {
  const outer = isObject(body) ? body : {};
  const source = str(outer.source);
  const envelope = (source === 'PORTAL' || source === 'CHECKOUT') && isObject(outer.data) ? source : null;
  const inner: Obj = envelope ? (outer.data as Obj) : outer;
  const data = isObject(inner.data) ? inner.data : {};
  const verification = isObject(inner.verification) ? inner.verification : {};

  const identityStatus = toIdentityStatus(verification.status);
  const callSucceeded = typeof inner.status === 'boolean' ? inner.status : null;
  const responseCode = str(inner.response_code);
  const retry = inner.is_callback_retry === true || inner.is_pending_payment_retry === true;
  const reference = str(verification.reference) ?? str(data.reference) ?? str(inner.reference);
  const detail = str(inner.detail) ?? str(inner.message);

  let event: string | null = null;
  const named = str(inner.event);
  if (named && NAMED_EVENTS.has(named)) event = named;
  else if (isObject(inner.widget_info) && Object.keys(inner.widget_info).length > 0) event = 'sdk.session.completed';
  else if (data.verification_id !== undefined && data.channel_code !== undefined) event = 'verification.async.completed';
  else if (identityStatus === 'VERIFIED') event = 'verification.completed';
  else if (identityStatus === 'NOT-VERIFIED') event = 'verification.failed';
  else if (identityStatus === 'PENDING') event = 'verification.pending';
  else if (callSucceeded === false) event = responseCode === PENDING_CODE ? 'verification.pending' : 'verification.failed';

  return {
    event,
    envelope,
    identityStatus,
    callSucceeded,
    responseCode,
    responseMeaning: responseCode === null ? null : (RESPONSE_CODES[responseCode] ?? 'undocumented code'),
    product: str(inner.endpoint_name),
    reference,
    retry,
    detail,
  };
}

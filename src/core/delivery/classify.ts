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
  /** Our event name (the catalog's), or null when the body matches no known shape. */
  event: string | null;
  /** Set when the body has an older shape than Prembly's current catalog describes: which one. */
  legacyShape: string | null;
  /** PORTAL or CHECKOUT when the body came wrapped in a source envelope (legacy). */
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

const nonEmpty = (value: unknown): value is Obj => isObject(value) && Object.keys(value).length > 0;

/**
 * The catalog's kinds by their documented markers, in the event reference's order: named events,
 * SDK sessions, the retry flags, transaction monitoring, async and Customer 360, statement analysis,
 * then a direct-API match. null when none applies.
 */
function currentKind(inner: Obj, data: Obj): string | null {
  const named = str(inner.event);
  if (named && NAMED_EVENTS.has(named)) return named;
  if (nonEmpty(data.widget_info) && (inner.completed_at !== undefined || data.completed_at !== undefined)) return 'sdk.session.completed';
  if (inner.is_callback_retry === true) return 'verification.retry.completed';
  if (inner.is_pending_payment_retry === true) return 'verification.payment_retry.completed';
  const dataEvent = str(data.event);
  if (dataEvent?.startsWith('transaction.')) return dataEvent;
  if (data.verification_id !== undefined && data.channel_code !== undefined) {
    return data.monitoring_id !== undefined ? 'customer360.check.completed' : 'verification.async.completed';
  }
  if (isObject(data.analysis_result)) return 'statement.analysis.completed';
  if (isObject(inner.verification) && isObject(inner.billing_info)) return 'verification.completed';
  return null;
}

/** Older shapes that still classify, with the mark saying which shape it was. */
function legacyKind(
  inner: Obj,
  data: Obj,
  identityStatus: IdentityStatus | null,
  callSucceeded: boolean | null,
  responseCode: string | null,
) {
  if (nonEmpty(inner.widget_info)) return { event: 'sdk.session.completed', shape: 'checker-widget SDK body (top-level widget_info)' };
  if (nonEmpty(data.widget_info)) return { event: 'sdk.session.completed', shape: 'SDK body without completed_at' };
  if (str(inner.event) === 'verification.completed' && inner.session_id !== undefined) {
    return { event: 'sdk.session.completed', shape: 'Prembly example listener body (event + session_id)' };
  }
  if (identityStatus === 'VERIFIED')
    return { event: 'verification.completed', shape: 'direct-API body without billing_info (Identitypass era)' };
  if (identityStatus === 'NOT-VERIFIED') return { event: 'verification.failed', shape: null };
  if (identityStatus === 'PENDING') return { event: 'verification.pending', shape: null };
  if (callSucceeded === false)
    return { event: responseCode === PENDING_CODE ? 'verification.pending' : 'verification.failed', shape: null };
  return { event: null, shape: null };
}

/** Classifies a parsed delivery body by the documented markers, in their documented order. */
export function classify(body: unknown): Classification {
  const outer = isObject(body) ? body : {};
  const source = str(outer.source);
  const envelope = (source === 'PORTAL' || source === 'CHECKOUT') && isObject(outer.data) ? source : null;
  const inner: Obj = envelope ? (outer.data as Obj) : outer;
  const data = isObject(inner.data) ? inner.data : {};
  const verification = isObject(inner.verification) ? inner.verification : {};
  const screening = isObject(data.screening_result) ? data.screening_result : {};

  const identityStatus = toIdentityStatus(verification.status);
  const callSucceeded = typeof inner.status === 'boolean' ? inner.status : null;
  const responseCode = str(inner.response_code);
  const retry = inner.is_callback_retry === true || inner.is_pending_payment_retry === true;
  const reference = str(verification.reference) ?? str(data.reference) ?? str(inner.reference) ?? str(screening.transaction_id);
  const detail = str(inner.detail) ?? str(inner.message);

  const current = currentKind(inner, data);
  const legacy = current === null ? legacyKind(inner, data, identityStatus, callSucceeded, responseCode) : null;
  const envelopeShape = envelope ? `${envelope} envelope (Identitypass era)` : null;

  return {
    event: current ?? legacy?.event ?? null,
    legacyShape: envelopeShape ?? legacy?.shape ?? null,
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

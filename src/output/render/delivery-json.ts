import type { KeyKind } from '../../core/signing/schemes.js';
import type { Delivery, ForwardResult } from '../../core/delivery/types.js';
import { displayCopy, redactText } from '../redact.js';
import { safeJson } from '../sanitize.js';
import { forwardWarning } from './verdict.js';
import { parseBody } from '../../core/delivery/describe.js';

/** The machine form of a delivery, PII redacted unless asked. */
/** The parsed body: parsed again here when the listener parsed it on a worker and did not keep it. */
export function bodyOf(d: Delivery): unknown {
  if (d.json !== undefined || !d.jsonDeferred || !d.body) return d.json;
  return parseBody(d.body, d.headers).json;
}

export function deliveryJson(d: Delivery, showPii: boolean) {
  const json = bodyOf(d);
  const c = d.classification;
  return {
    type: 'delivery',
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    size: d.size,
    event: c.event,
    identityStatus: c.identityStatus,
    responseCode: c.responseCode,
    responseMeaning: c.responseMeaning,
    product: c.product,
    reference: c.reference,
    envelope: c.envelope,
    retry: c.retry,
    duplicate: d.duplicate,
    // came through a relay: its sequence there, when the relay got it and how long it was held
    ...(d.relayed ? { relayed: { seq: d.relayed.seq, receivedAt: d.relayed.receivedAt, heldMs: d.relayed.heldMs } } : {}),
    signature: {
      valid: d.verification.valid,
      scheme: d.verification.scheme,
      reason: d.verification.reason,
      message: d.verification.message,
      weak: d.verification.weak,
      token: d.verification.token,
      key: d.verification.key,
      hint: d.signatureHint ? { code: d.signatureHint.code, message: d.signatureHint.message } : null,
    },
    schemeNote: d.schemeNote,
    legacyShape: c.legacyShape,
    notes: d.notes,
    jsonError: d.jsonError,
    tooLarge: d.tooLarge,
    stored: d.stored,
    forward: d.forward ? forwardJson(d.forward, c.event, d.verification) : null,
    // every target the delivery went to, the first (whose answer the sender got) included
    ...(d.otherForwards.length ? { forwards: [d.forward!, ...d.otherForwards].map((f) => forwardJson(f, c.event, d.verification)) } : {}),
    answerStatus: d.answerStatus,
    body: json === undefined ? null : displayCopy(json, { redact: !showPii }),
    // a body that is not JSON is still shown: masked by pattern unless --show-pii
    ...(json === undefined && d.body && d.body.length > 0 ? { bodyText: bodyTextOf(d.body, showPii) } : {}),
  };
}

const MAX_TEXT = 64 * 1024;

function bodyTextOf(body: Buffer, showPii: boolean): string {
  const text = body.subarray(0, MAX_TEXT).toString('utf8');
  return showPii ? text + (body.length > MAX_TEXT ? '…' : '') : redactText(text, MAX_TEXT);
}

/** One NDJSON line for a delivery; if rendering it fails, a line that still says it arrived. Never nothing. */
export function deliveryLine(d: Delivery, showPii: boolean): string {
  try {
    return safeJson(deliveryJson(d, showPii));
  } catch (error) {
    return safeJson({
      type: 'delivery',
      id: d.id,
      receivedAt: d.receivedAt,
      event: d.classification.event,
      size: d.size,
      answerStatus: d.answerStatus,
      stored: d.stored,
      renderError: (error as Error).message,
    });
  }
}

function forwardJson(f: ForwardResult, event: string | null, signature?: { valid: boolean; key: KeyKind | null }) {
  return {
    url: f.url,
    status: f.status,
    answered: f.answered,
    ms: f.ms,
    reply: f.preview,
    error: f.error?.message ?? null,
    verdict: f.verdict,
    warning: forwardWarning(f, event, signature),
  };
}

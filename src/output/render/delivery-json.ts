import type { Delivery } from '../../core/delivery/types.js';
import { redact } from '../../core/delivery/redact.js';

/** The machine form of a delivery, PII redacted unless asked. */
export function deliveryJson(d: Delivery, showPii: boolean) {
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
    forward: d.forward
      ? {
          url: d.forward.url,
          status: d.forward.status,
          answered: d.forward.answered,
          ms: d.forward.ms,
          reply: d.forward.preview,
          error: d.forward.error?.message ?? null,
          warning: d.forward.warning,
        }
      : null,
    answerStatus: d.answerStatus,
    body: d.json === undefined ? null : showPii ? d.json : redact(d.json),
  };
}

/** `idpass events list`: a summary per recorded delivery, as a table row or a JSON object. */

import type { ChalkInstance } from 'chalk';
import type { DeliveryRecord } from '../../core/store/codec.js';
import { answerTone, identityTone, painter, tones } from '../palette.js';
import { clockTime } from './format.js';
import { visible } from '../sanitize.js';

export function recordSummary(r: DeliveryRecord) {
  const v = r.verification;
  return {
    id: r.id,
    receivedAt: r.receivedAt,
    event: r.event,
    identityStatus: r.identityStatus,
    reference: r.reference,
    signature: { valid: v?.valid ?? false, reason: v?.reason ?? null, scheme: v?.scheme ?? null },
    forwardStatus: r.outcome?.forward?.status ?? null,
    path: r.path,
    size: r.size,
  };
}

export function eventsTableHeader(c: ChalkInstance): string {
  return tones(c).dim(
    `${'ID'.padEnd(18)}  ${'TIME'.padEnd(19)}  ${'EVENT'.padEnd(30)}  ${'RESULT'.padEnd(12)}  ${'SIGNATURE'.padEnd(22)}  APP`,
  );
}

export function eventsTableRow(r: DeliveryRecord, c: ChalkInstance): string {
  const paint = painter(c);
  const s = recordSummary(r);
  const when = `${s.receivedAt.slice(0, 10)} ${clockTime(s.receivedAt)}`;
  const result = s.identityStatus ?? '—';
  const sig = s.signature.valid
    ? tones(c).good(`valid ${s.signature.scheme}`.padEnd(22))
    : tones(c).bad(`${s.signature.reason ?? 'invalid'}`.padEnd(22));
  const app = s.forwardStatus === null ? tones(c).dim('—') : paint[answerTone(s.forwardStatus)](String(s.forwardStatus));
  return `${visible(s.id).padEnd(18)}  ${when}  ${(visible(s.event) || 'unrecognised').padEnd(30)}  ${paint[identityTone(s.identityStatus)](result.padEnd(12))}  ${sig}  ${app}`;
}

import type { ChalkInstance } from 'chalk';
import type { Delivery } from '../../core/delivery/types.js';
import { identityTone, painter, tones } from '../palette.js';
import { clockTime, formatDuration } from './format.js';
import { visible } from '../sanitize.js';
import { signatureHintText } from './signature-hint.js';
import { findEvent } from '../../core/delivery/catalog.js';
import { forwardWarning } from './verdict.js';
import { isAppFailure } from '../../core/delivery/rules.js';

/** One line per delivery, with indented lines for anything that needs attention. */
export function formatDeliveryLines(d: Delivery, c: ChalkInstance): string[] {
  const k = d.classification;
  const paint = painter(c);
  const parts = [
    tones(c).dim(clockTime(d.receivedAt)),
    tones(c).strong(k.event ?? (d.jsonError ? 'not JSON' : d.tooLarge ? 'too large' : 'unrecognised body')),
  ];
  if (k.identityStatus || k.responseCode) {
    parts.push(
      // a body whose signature failed only claims its result: shown plain, and said so
      d.verification.valid
        ? `${paint[identityTone(k.identityStatus)](k.identityStatus ?? '—')}${k.responseCode ? ` ${visible(k.responseCode)} ${tones(c).dim(k.responseMeaning ?? '')}` : ''}`.trim()
        : tones(c).dim(`claims ${k.identityStatus ?? '—'}${k.responseCode ? ` ${visible(k.responseCode)}` : ''} (unverified)`),
    );
  }
  if (k.product) parts.push(visible(k.product));
  if (k.reference) parts.push(tones(c).dim(`ref ${visible(k.reference)}`));
  const v = d.verification;
  parts.push(
    v.valid
      ? tones(c).good(`sig ✔ ${v.scheme}${v.weak ? ' (weak)' : ''}${v.key ? ` ${v.key} key` : ''}`)
      : tones(c).bad(`sig ✘ ${v.reason === 'missing-signature' ? 'missing' : (v.scheme ?? 'invalid')}`),
  );
  if (k.retry) parts.push(tones(c).info('retry'));
  if (d.duplicate) parts.push(tones(c).mark('duplicate token'));
  if (d.relayed) parts.push(tones(c).info(`relayed #${d.relayed.seq}, held ${formatDuration(d.relayed.heldMs)}`));
  if (d.forward) {
    const f = d.forward;
    const label = f.answered ? `app ${f.status} ${f.ms}ms` : `app ${f.error?.kind === 'timeout' ? 'timeout' : 'unreachable'} → ${f.status}`;
    const refused = f.verdict === 'refused-rightly' ? ' ✔ refused' : '';
    parts.push(isAppFailure(f.verdict) ? tones(c).warn(`→ ${label}`) : tones(c).good(`→ ${label}${refused}`));
    for (const o of d.otherForwards) {
      const other = o.answered ? `${o.status} ${o.ms}ms` : `${o.error?.kind === 'timeout' ? 'timeout' : 'unreachable'}`;
      parts.push((isAppFailure(o.verdict) ? tones(c).warn : tones(c).dim)(`+ ${other} ${visible(o.url)}`));
    }
  } else if (d.answerStatus !== null) {
    parts.push(tones(c).dim(`→ ${d.answerStatus}`));
  }
  parts.push(tones(c).dim(`${visible(d.method)} ${visible(d.path)}`));
  const lines = [parts.join('  ')];
  const detail = (mark: string, text: string) => lines.push(`    ${mark} ${text}`);
  if (!v.valid) detail(tones(c).bad('✘'), `signature: ${visible(v.message)}`);
  if (d.signatureHint) detail(tones(c).warn('!'), signatureHintText(d.signatureHint));
  if (d.schemeNote) detail(tones(c).warn('!'), d.schemeNote);
  if (k.legacyShape) detail(tones(c).dim('·'), `legacy shape: ${k.legacyShape}`);
  if (k.event) {
    const notSent = findEvent(k.event)?.notSent;
    if (notSent) detail(tones(c).dim('·'), `${k.event} is ${notSent}`);
  }
  if (d.duplicate) detail(tones(c).mark('!'), `token ${visible(v.token)} was seen before: a retry or a replay`);
  if (d.jsonError) detail(tones(c).bad('✘'), `${visible(d.jsonError)}; answered 400`);
  if (d.tooLarge) detail(tones(c).bad('✘'), `body of ${d.size} bytes is over --max-body; answered 413`);
  for (const note of d.notes) detail(tones(c).warn('!'), visible(note));
  if (d.forward?.error) detail(tones(c).bad('✘'), visible(d.forward.error.message));
  const warning = d.forward ? forwardWarning(d.forward, k.event, d.verification) : null;
  if (warning) detail(tones(c).warn('!'), warning);
  if (warning && d.forward!.answered && d.forward!.preview)
    detail(tones(c).dim('↳'), `app reply: ${visible(d.forward!.preview.slice(0, 400).replace(/\s+/g, ' ').slice(0, 200))}`);
  for (const o of d.otherForwards) if (o.error) detail(tones(c).bad('✘'), `${visible(o.url)}: ${visible(o.error.message)}`);
  return lines;
}

/** The delivery's lines, or one line that says it arrived when drawing it failed: never nothing. */
export function deliveryLinesOrFallback(d: Delivery, c: ChalkInstance): string[] {
  try {
    return formatDeliveryLines(d, c);
  } catch (error) {
    return [
      `${clockTime(d.receivedAt)}  ${visible(d.classification.event) || 'delivery'} ${d.id}  → ${d.answerStatus ?? '…'}  (${visible((error as Error).message)})`,
    ];
  }
}

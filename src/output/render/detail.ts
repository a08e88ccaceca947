/**
 * Everything known about one delivery, as titled sections of text lines: what the live view's
 * detail pane shows and what `idpass events show` prints.
 */

import type { Delivery } from '../../core/delivery/types.js';
import { displayCopy, redactText } from '../redact.js';
import { visible } from '../sanitize.js';
import { IDENTITYPASS_SIGNATURE_HEADER, PREMBLY_SIGNATURE_HEADER } from '../../core/signing/schemes.js';
import { identityTone, type Tone } from '../palette.js';
import { clockTime, formatDuration } from './format.js';
import { signatureHintText } from './signature-hint.js';
import { forwardWarning } from './verdict.js';
import { isAppFailure } from '../../core/delivery/rules.js';
import { bodyOf } from './delivery-json.js';

export interface DetailLine {
  text: string;
  tone: Tone;
}

const line = (text: string, tone: Tone = 'plain'): DetailLine => ({ text, tone });

/** A static signature is the public key in base64: show its start only. */
export function headerValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if ((lower === PREMBLY_SIGNATURE_HEADER || lower === IDENTITYPASS_SIGNATURE_HEADER) && value.length > 12) {
    return `${value.slice(0, 8)}… (${value.length} characters)`;
  }
  return maskedCredential(name, value) ?? value;
}

/**
 * A credential header's value as every view shows it, --show-pii or not (a credential is a secret,
 * not personal data); null for any other header. The store keeps the value, for an exact resend.
 */
export function maskedCredential(name: string, value: string): string | null {
  const lower = name.toLowerCase();
  if (CREDENTIAL_HEADERS.has(lower)) {
    // the scheme says what kind of credential it is; the credential itself is never shown
    const scheme = /^([A-Za-z][\w-]{0,20}) /.exec(value)?.[1];
    return `${scheme ? `${scheme} ` : ''}•••• (masked, ${value.length} characters; kept in the store for an exact resend)`;
  }
  if (lower === 'cookie' || lower === 'set-cookie') {
    const names = value
      .split(';')
      .map((part) => part.split('=')[0]!.trim())
      .filter(Boolean)
      .slice(0, 20);
    return `${names.map((n) => `${n.slice(0, 40)}=••••`).join('; ')} (values masked)`;
  }
  return null;
}

/** Headers that carry a credential: basic-auth from a webhook URL's user info, bearer tokens. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key']);

export type DetailSection = 'summary' | 'signature' | 'result' | 'headers' | 'body' | 'reply';
const ALL_SECTIONS: DetailSection[] = ['summary', 'signature', 'result', 'headers', 'body', 'reply'];

export function detailLines(d: Delivery, showPii: boolean, sections: DetailSection[] = ALL_SECTIONS): DetailLine[] {
  const k = d.classification;
  const out: DetailLine[] = [];
  const want = new Set(sections);
  if (want.has('summary')) {
    out.push(
      line(
        `${k.event ?? 'unrecognised body'}  ·  ${d.id}  ·  ${clockTime(d.receivedAt)}  ·  ${d.method} ${d.path}  ·  ${d.size} bytes${d.replayOf ? `  ·  replay of ${d.replayOf}` : ''}`,
        'title',
      ),
    );
    const r = d.relayed;
    if (r)
      out.push(
        line(
          `  relayed: #${r.seq} on ${r.channel.slice(0, 9)}…, received by the relay ${clockTime(r.receivedAt)}, held ${formatDuration(r.heldMs)}; Prembly got its 200 from the relay`,
          'dim',
        ),
      );
  }
  if (want.has('signature')) signatureLines(d, out);
  if (want.has('result')) resultLines(d, out);
  if (want.has('headers')) {
    out.push(line('Headers', 'title'));
    for (const [name, value] of d.headers) out.push(line(`  ${name}: ${headerValue(name, value)}`, 'dim'));
  }
  if (want.has('body')) bodyLines(d, showPii, out);
  if (want.has('reply')) replyLines(d, out);
  // every line may carry bytes from the wire: make control characters visible
  return out.map((l) => ({ ...l, text: visible(l.text) }));
}

function signatureLines(d: Delivery, out: DetailLine[]): void {
  const v = d.verification;
  out.push(line('Signature', 'title'));
  const signer = v.key ? `, ${v.key} key` : '';
  out.push(
    line(`  ${v.valid ? '✔ valid' : '✘ invalid'}${v.scheme ? ` (${v.scheme}${signer})` : ''}: ${v.message}`, v.valid ? 'good' : 'bad'),
  );
  if (d.signatureHint) out.push(line(`  ${signatureHintText(d.signatureHint)}`, 'warn'));
  if (v.weak && v.valid) out.push(line('  this scheme signs no body: trust the contents only as far as you trust the transport', 'warn'));
  out.push(
    line(`  token ${v.token ?? '(none)'}${d.duplicate ? '  — seen before: a retry or a replay' : ''}`, d.duplicate ? 'warn' : 'dim'),
  );
  if (d.schemeNote) out.push(line(`  ${d.schemeNote}`, 'warn'));
}

function resultLines(d: Delivery, out: DetailLine[]): void {
  const k = d.classification;
  out.push(line('Result', 'title'));
  if (d.jsonError) out.push(line(`  ${d.jsonError}`, 'bad'));
  else if (d.tooLarge) out.push(line('  refused unread: larger than --max-body', 'bad'));
  else {
    const status = k.identityStatus ?? '—';
    const claimed = !d.verification.valid;
    const tone = claimed ? 'dim' : k.identityStatus ? identityTone(k.identityStatus) : 'plain';
    out.push(
      line(
        `  ${claimed ? 'claims ' : ''}${status}${k.responseCode ? `  response_code ${k.responseCode} (${k.responseMeaning})` : ''}${claimed ? '  (unverified: the signature failed, so nothing here can be trusted)' : ''}`,
        tone,
      ),
    );
    const facts = [
      k.product && `product ${k.product}`,
      k.reference && `reference ${k.reference}`,
      k.retry && 'is a retry',
      k.envelope && `inside a ${k.envelope} envelope`,
      k.legacyShape && `legacy shape: ${k.legacyShape}`,
      k.detail && `detail "${k.detail}"`,
    ].filter(Boolean);
    if (facts.length) out.push(line(`  ${facts.join('  ·  ')}`));
  }
  for (const note of d.notes) out.push(line(`  ${note}`, 'warn'));
}

function bodyLines(d: Delivery, showPii: boolean, out: DetailLine[]): void {
  out.push(line(`Body${showPii ? '' : ' (personal data redacted; --show-pii reveals)'}`, 'title'));
  const json = bodyOf(d);
  if (json !== undefined) {
    for (const text of JSON.stringify(displayCopy(json, { redact: !showPii }), null, 2).split('\n')) out.push(line(`  ${text}`));
  } else if (d.body && d.body.length > 0) {
    // not JSON: still masked by pattern (digit runs, e-mail addresses) unless --show-pii
    const text = d.body.subarray(0, 2000).toString('utf8');
    out.push(line(`  ${showPii ? text : redactText(text)}${d.body.length > 2000 ? '…' : ''}`));
  } else if (d.body === null && d.bodyReleased) {
    out.push(line(`  a large body (${d.size} bytes): loading it from the store…`, 'dim'));
  } else if (d.body === null && !d.tooLarge) {
    out.push(line(`  no longer in memory: idpass events show ${d.id}`, 'dim'));
  } else {
    out.push(line('  (empty)', 'dim'));
  }
}

function replyLines(d: Delivery, out: DetailLine[]): void {
  out.push(
    line(d.otherForwards.length ? `App replies (${d.otherForwards.length + 1} targets; the sender got the first)` : 'App reply', 'title'),
  );
  if (!d.forward) out.push(line(`  not forwarded; the sender got ${d.answerStatus ?? '—'}`, 'dim'));
  for (const f of d.forward ? [d.forward, ...d.otherForwards] : []) {
    out.push(
      line(
        `  ${f.answered ? `${f.status} in ${f.ms}ms from ${f.url}` : `${f.status}: ${f.error?.message ?? 'no answer'}`}`,
        isAppFailure(f.verdict) ? 'warn' : 'good',
      ),
    );
    const warning = forwardWarning(f, d.classification.event, d.verification);
    if (warning) out.push(line(`  ${warning}`, 'warn'));
    if (f.verdict === 'refused-rightly')
      out.push(
        line(
          `  ✔ refused: the signature ${d.verification.valid ? 'used a legacy static scheme' : 'failed'}, and the app refused it, as it must`,
          'good',
        ),
      );
    if (f.preview) for (const text of f.preview.split('\n').slice(0, 20)) out.push(line(`  ${text}`, 'dim'));
  }
}

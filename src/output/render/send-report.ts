/** How trigger and `events resend` report each delivery: a line (plus details) or a JSON object. */

import type { ChalkInstance } from 'chalk';
import { IDENTITYPASS_TIMEOUT_MS } from '../../core/delivery/rules.js';
import type { DeliveryResult } from '../../core/trigger/send.js';
import type { TamperKind } from '../../core/trigger/tamper.js';
import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY } from '../../core/signing/schemes.js';
import { visible } from '../sanitize.js';
import { tones } from '../palette.js';

const TAMPER_WORDS: Record<TamperKind, string> = {
  signature: 'a wrong signature',
  body: 'a body changed after signing',
  'missing-signature': 'no signature header',
  replay: 'a token it had already seen',
};

/** What to do about a delivery that fell short, in Identitypass's terms and the CLI's flags. */
/** The keys a command signed with, so a refusal can say whose key it was (idpass's built-in or the user's). */
export interface SigningKeys {
  publicKey: string;
  livePublicKey: string;
}

/** Why a receiver may have refused a correctly signed delivery, from which key signed it. */
function refusedGenuine(result: DeliveryResult, keys?: SigningKeys): string {
  const kind = result.key;
  if (!kind) return 'the receiver rejected the delivery: does it verify the raw body bytes before parsing?';
  const live = kind === 'live';
  const builtin = keys ? (live ? keys.livePublicKey === BUILTIN_LIVE_TEST_KEY : keys.publicKey === BUILTIN_TEST_KEY) : false;
  const variable = live ? 'IDPASS_LIVE_PUBLIC_KEY=<your live_pk_…>' : 'IDPASS_PUBLIC_KEY=<your test_pk_…>';
  const signed = `the receiver rejected a correctly signed delivery: it was signed with ${builtin ? `idpass's built-in ${kind} key` : `your ${kind} key`}`;
  if (live)
    return `${signed}, as Prembly signs ${result.event} (retry results, workflows, async and watchlist events, even from sandbox): the receiver must accept the live key as well as the sandbox one${builtin ? `; a receiver holding your own keys needs ${variable}` : ''}`;
  return builtin
    ? `${signed}: a receiver holding your own key refuses it; set ${variable} (or --public-key)`
    : `${signed}: does the receiver verify the raw body bytes with that key and the HMAC scheme?`;
}

export function hintFor(result: DeliveryResult, keys?: SigningKeys): string | null {
  if (result.warning?.code === 'replay-refused') {
    return 'Prembly asks handlers to be idempotent: record the token, skip the repeat and answer 200. A 4xx to a dashboard resend or an SDK retry counts as a failed delivery (and SDK sessions are retried)';
  }
  const problem = result.problem;
  if (!problem) return null;
  switch (problem.code) {
    case 'timeout': {
      const waited = problem.timeoutMs ?? IDENTITYPASS_TIMEOUT_MS;
      return waited >= IDENTITYPASS_TIMEOUT_MS
        ? 'Identitypass waits 10 s for a reply and then counts the delivery as failed: answer first, work later'
        : `the receiver took longer than --timeout ${waited}ms (Identitypass itself waits 10 s)`;
    }
    case 'refused':
      return 'is your app running on that port? (idpass listen serves the default URL)';
    case 'dns':
      return 'check the host name in --to';
    case 'reset':
      return 'the receiver dropped the connection: look for a crash in its logs';
    case 'tamper-accepted':
      return result.tamper === 'replay'
        ? 'the receiver accepted a token it had already seen: track token values and refuse repeats'
        : `the receiver accepted ${TAMPER_WORDS[result.tamper!]}: it must answer 401 when the signature is missing or wrong`;
    case 'tamper-unexpected-status':
      return `expected ${result.expected} for ${TAMPER_WORDS[result.tamper!]}`;
    case 'redirect':
      return 'Prembly does not follow redirects for workflow runs: a 3xx is a failed delivery. Point --to at the final URL';
    case 'too-many-redirects':
      return `redirects were followed as Prembly would (${result.redirects.length} hops) and still ended in a 3xx: point --to at the final URL`;
    case 'genuine-rejected':
      return refusedGenuine(result, keys);
    case 'no-handler':
      return 'nothing handles that path: check the path in --to';
    case 'too-large':
      return 'the receiver refused the body size: identity bodies carry base64 photos and can be large';
    case 'handler-failed':
      return 'the handler failed; Identitypass retries only workflow and SDK deliveries, everything else is lost';
    case 'not-exactly-200':
      return 'Identitypass treats anything but 200 as a failed delivery (workflow deliveries accept any 2xx)';
    case 'token-seen':
      return 'the app saw this token already (a resend carries the original token): add --resign for a fresh token and signature';
    case 'not-delivered':
      return 'Identitypass treats anything but 200 as a failed delivery';
  }
}

/** The machine form of one result, as `--json` prints it. */
export function resultJson(result: DeliveryResult, keys?: SigningKeys) {
  const hint = hintFor(result, keys);
  return {
    event: result.event,
    reference: result.reference,
    token: result.token,
    url: result.url,
    status: result.status,
    ok: result.ok,
    ms: result.ms,
    expected: result.expected,
    role: result.role,
    tamper: result.tamper,
    key: result.key,
    ...(result.redirects.length ? { redirects: result.redirects } : {}),
    ...(result.note ? { note: result.note } : {}),
    ...(result.warning ? { warning: result.warning.code } : {}),
    ...(result.shown !== null ? { shown: true, body: parsedOrText(result.shown) } : {}),
    ...(result.reply !== null ? { reply: result.reply } : {}),
    ...(result.error ? { error: result.error.message, errorKind: result.error.kind } : {}),
    ...(hint ? { hint } : {}),
  };
}

/** The text parsed as JSON when it parses, else the text itself. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const ROLE_NOTES: Record<DeliveryResult['role'], string> = {
  single: '',
  pending: 'pending, 1 of 2',
  final: 'final, 2 of 2, retry-flagged',
  original: 'replay test, first send',
  replay: 'replay test, same token again',
  resend: 'resent from the store',
};

/** One result as text lines: a mark, the event, the status, then any error, reply and hint. */
export function resultLines(result: DeliveryResult, c: ChalkInstance, keys?: SigningKeys): string[] {
  if (result.shown !== null) {
    return [
      `${tones(c).info('•')} ${tones(c).strong(result.event)}${tones(c).dim(' (pending, 1 of 2, the API’s answer: not POSTed)')}  ${tones(c).dim(`ref ${result.reference ?? '—'}`)}`,
      `    ${visible(result.shown.slice(0, 4000))}`,
    ];
  }
  const mark = result.ok ? (result.warning ? tones(c).warn('!') : tones(c).good('✔')) : tones(c).bad('✘');
  const keyNote = result.key ? `${result.key} key` : '';
  const notes = [ROLE_NOTES[result.role], keyNote, result.tamper && result.tamper !== 'replay' ? `tamper: ${result.tamper}` : ''].filter(
    Boolean,
  );
  const label = tones(c).strong(result.event) + (notes.length ? tones(c).dim(` (${notes.join(', ')})`) : '');
  let status: string;
  if (result.status !== null) {
    const text = String(result.status);
    status = result.ok ? tones(c).good(text) : tones(c).bad(text) + tones(c).dim(` expected ${result.expected}`);
  } else {
    status = tones(c).bad(result.error?.kind === 'timeout' ? 'timeout' : 'no reply');
  }
  const ref = result.reference ? `ref ${result.reference}` : 'no reference';
  const lines = [`${mark} ${label}  ${status}  ${tones(c).dim(ref)}  → ${result.url}  ${tones(c).dim(`${result.ms}ms`)}`];
  if (result.note) lines.push(`    ${tones(c).dim(`note: ${result.note}`)}`);
  for (const hop of result.redirects) lines.push(`    ${tones(c).dim(`↪ redirected to ${hop}`)}`);
  if (result.error) lines.push(`    ${tones(c).bad(visible(result.error.message))}`);
  if (result.reply !== null) lines.push(`    reply: ${result.reply === '' ? tones(c).dim('(empty)') : visible(result.reply)}`);
  const hint = hintFor(result, keys);
  if (hint) lines.push(`    ${tones(c).warn('hint:')} ${hint}`);
  return lines;
}

/** The closing tally, when there was more than one delivery or anything failed; null otherwise. */
export function sendSummary(planned: number, sent: number, failed: number): string | null {
  if (planned <= 1 && failed === 0) return null;
  const unsent = planned - sent;
  const parts = [`${sent - failed} ok`, failed ? `${failed} failed` : '', unsent ? `${unsent} not sent` : ''].filter(Boolean);
  return `${planned} ${planned === 1 ? 'delivery' : 'deliveries'}: ${parts.join(', ')}`;
}

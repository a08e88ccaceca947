/** What a handler's answer to a genuine delivery means at Prembly, and how to fix a wrong one. */

import type { EventInfo } from '../delivery/catalog.js';
import { premblyVerdict } from '../delivery/rules.js';
import { formatMs, type Exchange } from './context.js';

export interface Judgement {
  ok: boolean;
  /** Answered as Prembly needs, but in more than half the time Prembly waits. */
  slow: boolean;
  prembly: string | null;
  fix: string | null;
}

/** Above this share of Prembly's wait, a right answer gets a warning. */
const SLOW_SHARE = 0.5;

/** What Prembly does after a failed attempt of this kind. */
export function premblyOnFailure(info: EventInfo): string {
  return info.retries.attempts > 1
    ? `counts the attempt failed; ${info.retries.schedule}`
    : 'counts the delivery failed and never sends it again: the result reaches you only if you fetch it from the API';
}

function keyAdvice(info: EventInfo): string {
  const live = info.signedWith === 'live';
  const key = live ? 'your live public key (live_pk_…)' : 'your sandbox public key (test_pk_…)';
  const both = live ? '; Prembly signs this kind with the live key even from sandbox, so check with both keys' : '';
  return `verify base64(HMAC-SHA256(raw body bytes, ${key})) against the x-prembly-signature header${both}`;
}

/** How to fix a handler that answered a genuine delivery this way. */
export function fixFor(ex: Exchange, info: EventInfo, timeoutMs: number): string {
  if (ex.error) {
    if (ex.error.kind === 'timeout') {
      return `answer within ${formatMs(timeoutMs)}: record the delivery, answer 200, then do the slow work (a queue or a background job)`;
    }
    return 'the handler dropped the connection without answering: look for a crash in its logs';
  }
  const status = ex.status ?? 0;
  if (status === 401 || status === 403) return `it refused a correctly signed delivery: ${keyAdvice(info)}`;
  if (status >= 300 && status < 400) {
    return info.followsRedirects
      ? 'the redirects did not end in an answer: point the webhook URL at the handler itself'
      : 'answer at the webhook URL itself: Prembly follows no redirect for this kind and counts a 3xx as failed';
  }
  if (status === 404 || status === 405) return 'nothing handles POST at this path: check the webhook URL (path included)';
  if (status === 413) {
    return "raise the handler's body limit to 10 MB: identity results carry base64 photos (express.raw({ type: 'application/json', limit: '10mb' }))";
  }
  if (status === 400 || status === 422) {
    return `it could not read this body: ${info.name} bodies look like \`npx idpass trigger ${info.name} --data …\` sends; accept fields it does not know`;
  }
  if (status >= 500)
    return `it failed on this body shape (${status}): send one with \`npx idpass trigger ${info.name}\` and read the handler's logs`;
  if (status >= 200 && status < 300) return 'answer exactly 200: Prembly counts 201, 202 and 204 as failed deliveries for this kind';
  return `answer ${info.delivered === '2xx' ? 'a 2xx' : 'exactly 200'} once the delivery is recorded`;
}

/** Judges the answer to a genuine delivery of a kind: Prembly's status rule, its wait, its redirect rule. */
export function judgeGenuine(ex: Exchange, info: EventInfo, timeoutMs: number): Judgement {
  const ok = ex.error === null && premblyVerdict(info.name, { status: ex.status, ms: ex.ms }, timeoutMs) === 'delivered';
  if (!ok) return { ok, slow: false, prembly: premblyOnFailure(info), fix: fixFor(ex, info, timeoutMs) };
  const slow = ex.ms > timeoutMs * SLOW_SHARE;
  return {
    ok,
    slow,
    prembly: slow ? `waits ${formatMs(timeoutMs)}; a slower answer is a failed delivery` : null,
    fix: slow ? 'answer first and do the work after: keep the handler well under the limit' : null,
  };
}

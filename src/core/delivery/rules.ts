/**
 * What Identitypass (Prembly) accepts as delivered: how long it waits, which statuses count, what
 * a redirect means. Every such rule lives here, so trigger, the listener and the reports agree.
 */

import { CoreError } from '../common/errors.js';
import type { ForwardReply } from '../http/forward.js';
import { findEvent } from './catalog.js';
import { isStaticScheme, type Scheme } from '../signing/schemes.js';

/** Identitypass gives a receiver this long to answer. */
export const IDENTITYPASS_TIMEOUT_MS = 10_000;

/** What status a receiver is expected to answer: exact codes and `2xx`-style classes. */
export interface StatusExpectation {
  text: string;
  matches(status: number): boolean;
}

/** `200`, `2xx`, `4xx`, `401`, or several joined by commas (`200,202`). */
export function parseStatusExpectation(text: string): StatusExpectation {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  const tests = parts.map((part) => {
    if (/^[1-5]\d\d$/.test(part)) {
      const code = Number(part);
      return (status: number) => status === code;
    }
    if (/^[1-5]xx$/.test(part)) {
      const hundred = Number(part[0]);
      return (status: number) => Math.floor(status / 100) === hundred;
    }
    throw new CoreError(
      'bad-status-expectation',
      `"${text}" is not a status: use a code like 200 or 401, a class like 2xx or 4xx, or a list like 200,202`,
      { text },
    );
  });
  return { text: parts.join(','), matches: (status) => tests.some((t) => t(status)) };
}

/** What Prembly counts as delivered for a kind: exactly 200, except workflow runs, which take any 2xx. */
export function deliveredStatus(event: string): StatusExpectation {
  const info = findEvent(event);
  return parseStatusExpectation(info?.delivered ?? (event.startsWith('workflow.') ? '2xx' : '200'));
}

/**
 * What Prembly makes of an answer to a delivery: delivered, or why not, as a code (the words are
 * output's). The one place the rule is written: exactly 200 (any 2xx for workflow runs), within
 * its 10 s wait, no redirect where it follows none.
 */
export type DeliveryVerdict =
  | 'delivered'
  /** No answer within the wait. */
  | 'timed-out'
  /** The connection failed or was dropped before an answer. */
  | 'no-answer'
  /** An answer, but after Prembly had given up. */
  | 'too-slow'
  /** A 3xx for a kind Prembly follows no redirect for. */
  | 'redirect-not-followed'
  /** A 3xx for a kind Prembly would follow: a forwarded delivery is not redirected, though. */
  | 'redirect-not-forwarded'
  /** A 2xx other than 200 where exactly 200 counts. */
  | 'not-exactly-200'
  /** Any other status. */
  | 'failed-status'
  /** 401 or 403 to a delivery that should be refused (a wrong or missing signature, a legacy static scheme): what the app must do. */
  | 'refused-rightly';

export interface AnswerFacts {
  /** null when there was no answer. */
  status: number | null;
  ms: number;
  /** With no answer: whether the wait ran out (else the connection failed). */
  timedOut?: boolean;
}

export function premblyVerdict(event: string | null, answer: AnswerFacts, waitMs = IDENTITYPASS_TIMEOUT_MS): DeliveryVerdict {
  const { status, ms } = answer;
  if (status === null) return answer.timedOut ? 'timed-out' : 'no-answer';
  if (ms > waitMs) return 'too-slow';
  const info = event ? findEvent(event) : undefined;
  if (deliveredStatus(info?.name ?? event ?? '').matches(status)) return 'delivered';
  if (status >= 300 && status < 400) return info?.followsRedirects ? 'redirect-not-forwarded' : 'redirect-not-followed';
  if (status >= 200 && status < 300) return 'not-exactly-200';
  return 'failed-status';
}

/** Whether the app's answer is a failure in Prembly's terms: not delivered, and not a refusal of what should be refused. */
export function isAppFailure(verdict: DeliveryVerdict): boolean {
  return verdict !== 'delivered' && verdict !== 'refused-rightly';
}

/**
 * The verdict once the signature is known: a 401 or 403 to a delivery that fails verification (or
 * comes in a legacy static scheme, which anyone who has seen the key can make) is the right answer.
 */
export function judgeRefusal<T extends { answered: boolean; status: number; verdict: DeliveryVerdict }>(
  f: T,
  verification: { valid: boolean; scheme: Scheme | null },
): T {
  const shouldRefuse = !verification.valid || (verification.scheme !== null && isStaticScheme(verification.scheme));
  return shouldRefuse && f.answered && (f.status === 401 || f.status === 403) ? { ...f, verdict: 'refused-rightly' } : f;
}

/** The verdict on an app's answer to a forwarded delivery. */
export function forwardVerdict(reply: ForwardReply, event: string | null): DeliveryVerdict {
  if (!reply.answered) return premblyVerdict(event, { status: null, ms: reply.ms, timedOut: reply.error?.kind === 'timeout' });
  return premblyVerdict(event, { status: reply.status, ms: reply.ms });
}

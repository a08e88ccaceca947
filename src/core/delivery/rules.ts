import { CoreError } from '../common/errors.js';
import type { ForwardReply } from '../http/forward.js';
import { findEvent } from './catalog.js';

/**
 * What Identitypass (Prembly) accepts as delivered: how long it waits, which statuses count, what
 * a redirect means. Every such rule lives here, so trigger, the listener and the reports agree.
 */

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

/** Why Prembly would count an app's answer as a failed delivery, or null when it would not. */
export function forwardWarning(reply: ForwardReply, event: string | null = null): string | null {
  if (!reply.answered) {
    return reply.error?.kind === 'timeout'
      ? 'Identitypass waits 10 s for a reply: this delivery would have failed'
      : 'Identitypass would count this delivery as failed (no answer)';
  }
  return acceptanceWarning(reply.status, reply.ms, event);
}

/** Prembly counts exactly 200 within 10 s as delivered (any 2xx for workflow runs, which follow no redirect). */
export function acceptanceWarning(status: number, ms: number, event: string | null = null): string | null {
  if (ms > IDENTITYPASS_TIMEOUT_MS) return `the app took ${(ms / 1000).toFixed(1)} s; Identitypass gives up after 10 s`;
  const info = event ? findEvent(event) : undefined;
  if (deliveredStatus(info?.name ?? '').matches(status) && (info?.delivered === '2xx' || status === 200)) return null;
  if (status >= 300 && status < 400) {
    return info?.followsRedirects
      ? `the app answered ${status}; Prembly follows redirects for ${info.name}, but a delivery forwarded here is not redirected: answer 200 at this URL`
      : `the app answered ${status}; Identitypass does not follow redirects${info ? ` for ${info.name}` : ''} and counts it as failed`;
  }
  if (status >= 200 && status < 300) {
    return `the app answered ${status}; Identitypass counts only exactly 200 as delivered (workflow deliveries accept any 2xx)`;
  }
  return `the app answered ${status}; Identitypass counts this delivery as failed`;
}

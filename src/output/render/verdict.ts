import { findEvent } from '../../core/delivery/catalog.js';
import type { DeliveryVerdict } from '../../core/delivery/rules.js';
import type { ForwardResult } from '../../core/delivery/types.js';
import type { KeyKind } from '../../core/signing/schemes.js';

/** What a verdict on an answer means, in Prembly's terms: null when it counts as delivered. */
export function verdictWords(verdict: DeliveryVerdict, answer: { status: number | null; ms: number }, event: string | null): string | null {
  const info = event ? findEvent(event) : undefined;
  switch (verdict) {
    case 'delivered':
    case 'refused-rightly':
      return null;
    case 'timed-out':
      return 'Identitypass waits 10 s for a reply: this delivery would have failed';
    case 'no-answer':
      return 'Identitypass would count this delivery as failed (no answer)';
    case 'too-slow':
      return `the app took ${(answer.ms / 1000).toFixed(1)} s; Identitypass gives up after 10 s`;
    case 'redirect-not-forwarded':
      return `the app answered ${answer.status}; Prembly follows redirects for ${info?.name ?? event}, but a delivery forwarded here is not redirected: answer 200 at this URL`;
    case 'redirect-not-followed':
      return `the app answered ${answer.status}; Identitypass does not follow redirects${info ? ` for ${info.name}` : ''} and counts it as failed`;
    case 'not-exactly-200':
      return `the app answered ${answer.status}; Identitypass counts only exactly 200 as delivered (workflow deliveries accept any 2xx)`;
    case 'failed-status':
      return `the app answered ${answer.status}; Identitypass counts this delivery as failed`;
  }
}

/** Why Prembly would count an app's answer to a forwarded delivery as failed, or null when it would not. */
export function forwardWarning(f: ForwardResult, event: string | null, signature?: { valid: boolean; key: KeyKind | null }): string | null {
  const words = verdictWords(f.verdict, { status: f.answered ? f.status : null, ms: f.ms }, event);
  // a genuine delivery refused: which key signed it is the first thing to check
  if (words && f.answered && (f.status === 401 || f.status === 403) && signature?.valid && signature.key) {
    const live = signature.key === 'live';
    return `${words}: it was correctly signed with the ${signature.key} key${live ? ' (Prembly signs retry results, workflows, async and watchlist events with it, even from sandbox)' : ''}, so the app must accept that key`;
  }
  return words;
}

import type { ChalkInstance } from 'chalk';
import type { TunnelFact } from '../../core/tunnel/types.js';
import { formatDuration, webhookUrl } from './format.js';
import { visible } from '../sanitize.js';
import { tones } from '../palette.js';

/** Talk about the tunnel, for stderr. Returns no lines for facts not worth a line. */
export function tunnelLines(fact: TunnelFact, c: ChalkInstance, state: { lastCause?: string }): string[] {
  // the URL and the causes come from the tunnel server: make control characters visible first
  const safe = Object.fromEntries(Object.entries(fact).map(([k, v]) => [k, typeof v === 'string' ? visible(v) : v])) as TunnelFact;
  return tunnelText(safe, c, state);
}

function tunnelText(fact: TunnelFact, c: ChalkInstance, state: { lastCause?: string }): string[] {
  switch (fact.type) {
    case 'tunnel-up': {
      const lines = [
        `${tones(c).good('tunnel up')}  ${tones(c).strong(fact.url)}`,
        `Paste this webhook URL into the Identitypass dashboard (Settings → Merchant Profile → Webhook URL):`,
        `  ${tones(c).info(webhookUrl(fact.url))}`,
        tones(c).dim('It is public: anyone with the URL can post to it. Trust a delivery only when its signature is valid.'),
      ];
      if (fact.subdomainRequested && !fact.subdomainGranted) {
        lines.unshift(
          tones(c).warn(
            `warning: asked for the subdomain "${fact.subdomainRequested}" but the tunnel server gave ${fact.url} (taken by someone else?)`,
          ),
        );
      }
      state.lastCause = undefined;
      return lines;
    }
    case 'tunnel-unavailable': {
      // say it once per cause, not on every retry
      if (state.lastCause === fact.cause) return [];
      state.lastCause = fact.cause;
      return [
        tones(c).warn(`tunnel unavailable: ${fact.cause}`),
        tones(c).dim('  the local listener keeps serving; retrying in the background (--no-tunnel turns the tunnel off)'),
      ];
    }
    case 'tunnel-down':
      state.lastCause = undefined;
      return [tones(c).bad(`tunnel down: ${fact.cause}`), tones(c).dim('  reconnecting; the local listener keeps serving')];
    case 'tunnel-restored':
      state.lastCause = undefined;
      return fact.urlChanged
        ? [
            tones(c).warn(`tunnel restored after ${formatDuration(fact.downtimeMs)} at a NEW URL: ${fact.url}`),
            `  update the Identitypass dashboard webhook URL to ${tones(c).info(webhookUrl(fact.url))}`,
          ]
        : [tones(c).good(`tunnel restored after ${formatDuration(fact.downtimeMs)}: ${fact.url}`)];
    default:
      return [];
  }
}

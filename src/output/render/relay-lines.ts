/** One plain line per relay fact (`idpass relay serve` without --json); null for those not worth a line. */

import type { RelayFact } from '../../core/relay/server.js';
import { formatBytes } from './format.js';

const short = (channel: string) => `${channel.slice(0, 9)}…`;

export function relayFactLine(fact: RelayFact): string | null {
  switch (fact.type) {
    case 'stored':
      return `stored #${fact.seq} on ${short(fact.channel)} (${formatBytes(fact.size)})`;
    case 'store-failed':
      return `could not store a delivery on ${short(fact.channel)}: answered 503 (${fact.cause})`;
    case 'too-large':
      return `refused a delivery of ${formatBytes(fact.size)} on ${short(fact.channel)}: over --max-body (413)`;
    case 'client-connected':
      return `${fact.client ? `client ${fact.client}` : 'client'} connected to ${short(fact.channel)} after #${fact.after}`;
    case 'client-left':
      return `client left ${short(fact.channel)}`;
    case 'channel-created':
      return `channel ${short(fact.channel)} created${fact.name ? ` (${fact.name})` : ''}`;
    case 'channel-deleted':
      return `channel ${short(fact.channel)} deleted`;
    case 'pruned':
      return `dropped ${fact.dropped} past retention on ${short(fact.channel)}`;
    default:
      return null;
  }
}

/** The relay client's state in words, the same in every renderer. */

import type { RelaySourceFact } from '../../core/receive/facts.js';
import { clockTime } from './format.js';
import { visible } from '../sanitize.js';

export const RELAY_MODE_NOTE =
  'relay mode: Prembly got its 200 from the relay, so your app’s answers are shown and stored here but never reach Prembly';

/** "connected · catching up 37", "reconnecting since 14:02 (ECONNREFUSED)", "gap: 12 dropped by retention". */
export function relayStateText(fact: RelaySourceFact): string {
  switch (fact.type) {
    case 'relay-mode':
      return `relay ${fact.url}: ${RELAY_MODE_NOTE}`;
    case 'relay-gap':
      return `relay gap: ${fact.dropped} ${fact.dropped === 1 ? 'delivery' : 'deliveries'} (#${fact.from}–#${fact.to}) dropped by the relay's retention before they reached here`;
    case 'relay-state':
      switch (fact.state) {
        case 'connecting':
          return `relay: connecting to ${fact.url}`;
        case 'catching-up':
          return `relay: connected · catching up ${fact.behind ?? 0}`;
        case 'live':
          return 'relay: connected · live';
        case 'reconnecting':
          return `relay: reconnecting since ${clockTime(fact.since ?? new Date().toISOString())}${fact.cause ? ` (${visible(fact.cause)})` : ''}`;
        case 'refused':
          return `relay: refused: ${visible(fact.cause ?? '')}`;
      }
  }
}

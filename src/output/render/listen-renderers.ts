/** The plain-line and NDJSON consumers of the listener's and tunnel's facts (the live view is the third). */

import type { ChalkInstance } from 'chalk';
import type { ListenSessionFact } from '../../core/receive/facts.js';
import type { TunnelFact } from '../../core/tunnel/types.js';
import { lineBatch, writeLine, type IO } from '../io.js';
import { deliveryLinesOrFallback } from './delivery-lines.js';
import { storeErrorText, storeResumedText } from './store-error.js';
import { relayStateText } from './relay-state.js';
import type { RelaySourceFact } from '../../core/receive/facts.js';
import { tunnelLines } from './tunnel-lines.js';
import { safeJson, visible } from '../sanitize.js';
import { orderedDeliveryLines } from './large-lines.js';
import type { Renderer } from './renderer.js';
import { tones } from '../palette.js';

/** Where listen is reachable once bound, as the banner and the live view show it. */
export interface ListenReady {
  /** A URL this machine can use (0.0.0.0 shown as 127.0.0.1). */
  url: string;
  /** The trigger command that sends this listener a delivery. */
  sendHint: string;
}

/** A renderer of listen's facts that also draws what it shows once the listener is bound. */
export interface ListenRenderer extends Renderer<ListenSessionFact> {
  ready(at: ListenReady): Promise<void>;
  /** The session's run ended (it still drains): a renderer that owns the screen lets go of it here. */
  ended?(): void;
}

/** Plain lines: deliveries on stdout, talk on stderr. For pipes and non-TTY terminals. */
export function plainRenderer(io: IO, out: ChalkInstance, err: ChalkInstance): Renderer<ListenSessionFact> {
  const tunnelState = {};
  const stdout = lineBatch(io.stdout);
  const onFact = (fact: ListenSessionFact) => {
    if (fact.type.startsWith('tunnel-')) {
      for (const line of tunnelLines(fact as TunnelFact, err, tunnelState)) writeLine(io.stderr, line);
      return;
    }
    if (fact.type.startsWith('relay-')) {
      const bad = fact.type === 'relay-gap' || (fact.type === 'relay-state' && (fact.state === 'reconnecting' || fact.state === 'refused'));
      writeLine(io.stderr, (bad ? tones(err).warn : tones(err).dim)(relayStateText(fact as RelaySourceFact)));
      return;
    }
    switch (fact.type) {
      case 'completed':
        if (!fact.delivery.ignored) for (const line of deliveryLinesOrFallback(fact.delivery, out)) stdout(line);
        break;
      case 'warning':
        writeLine(io.stderr, tones(err).warn(`warning: ${visible(fact.message)}`));
        break;
      case 'store-error':
        writeLine(io.stderr, tones(err).bad(`error: ${storeErrorText(fact)}`));
        break;
      case 'store-resumed':
        writeLine(io.stderr, tones(err).warn(storeResumedText(fact)));
        break;
      default:
        break;
    }
  };
  return { fact: onFact, close: () => stdout.finished() };
}

/** NDJSON on stdout, one object per fact that matters to a machine; talk stays on stderr. */
export function jsonRenderer(io: IO, showPii: boolean, err: ChalkInstance, inspector?: string | null): Renderer<ListenSessionFact> {
  const tunnelState = {};
  const batch = lineBatch(io.stdout);
  // every line goes through one ordered queue: a large delivery's line, made on a worker, keeps its place
  const lines = orderedDeliveryLines(batch, showPii);
  const stdout = (line: string) => lines.line(line);
  const onFact = (fact: ListenSessionFact) => {
    if (fact.type.startsWith('tunnel-')) {
      const lines = tunnelLines(fact as TunnelFact, err, tunnelState);
      // a retry that failed the same way as the last says nothing new: one line per cause
      if (lines.length > 0) stdout(safeJson(fact));
      for (const line of lines) writeLine(io.stderr, line);
      return;
    }
    if (fact.type.startsWith('relay-')) {
      stdout(safeJson(fact));
      writeLine(io.stderr, relayStateText(fact as RelaySourceFact));
      return;
    }
    switch (fact.type) {
      case 'ready':
        stdout(safeJson({ type: 'ready', url: fact.url, host: fact.host, port: fact.port, ...(inspector ? { inspector } : {}) }));
        break;
      case 'completed':
        if (!fact.delivery.ignored) lines.add(fact.delivery);
        break;
      case 'warning':
        writeLine(io.stderr, `warning: ${visible(fact.message)}`);
        break;
      case 'store-error':
        writeLine(io.stderr, `error: ${storeErrorText(fact)}`);
        break;
      case 'store-resumed':
        stdout(safeJson(fact));
        writeLine(io.stderr, storeResumedText(fact));
        break;
      default:
        break;
    }
  };
  return { fact: onFact, close: () => lines.finished().then(() => batch.finished()) };
}

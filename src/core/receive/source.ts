/**
 * How deliveries enter a listen session. A source (the HTTP listener, the relay client) turns what
 * it received into an IncomingDelivery and hands it to the intake, which verifies, records,
 * forwards and decides the answer; the source then gives that answer to whoever sent it.
 */

import type { Delivery, RelayMark } from '../delivery/types.js';
import type { RelaySourceFact } from './facts.js';

/** One request as it arrived: the exact bytes and headers, nothing parsed yet. */
export interface IncomingDelivery {
  method: string;
  /** The path and query as the sender wrote them. */
  path: string;
  /** Header pairs in wire order, original casing. */
  headers: [string, string][];
  /** null when it was over the size limit and not kept. */
  body: Buffer | null;
  /** The declared Content-Length, else the bytes that arrived. */
  size: number;
  /** Came through a relay: where it was held. */
  relayed?: RelayMark;
  /** Called once the delivery is recorded (or could not be), before it is forwarded's answer is awaited. */
  onRecorded?: (delivery: Delivery) => void;
}

/** What the sender is answered. */
export interface DeliveryAnswer {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

/** Where sources hand deliveries: `respond` is called once the delivery is recorded, before the promise settles. */
export interface DeliveryIntake {
  receive(incoming: IncomingDelivery, respond: (answer: DeliveryAnswer) => void): Promise<Delivery>;
}

/** A source of deliveries: started with the intake it feeds, stopped before the intake drains. */
export interface DeliverySource {
  /** What it is, for facts and errors (`http`, `relay`). */
  readonly name: string;
  start(intake: DeliveryIntake): Promise<void>;
  /** Takes nothing new; what it already handed over is the intake's to finish. */
  stop(): Promise<void>;
  /** After the intake drained: ends whatever is still open (connections, subscriptions). */
  close(): Promise<void>;
  /** What the source has to say about itself (a relay's connection state), for every renderer. */
  onFact?(listener: (fact: RelaySourceFact) => void): void;
}

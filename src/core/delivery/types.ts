import type { ForwardReply } from '../http/forward.js';
import type { DeliveryVerdict } from './rules.js';
import type { VerifyResult } from '../signing/verify.js';
import type { Classification } from './classify.js';
import type { SignatureHint } from './signature-hints.js';

/** What the app answered to a forwarded delivery, and whether Prembly would count it delivered. */
export interface ForwardResult extends ForwardReply {
  /** What Prembly would make of this answer: `delivered`, or why not. */
  verdict: DeliveryVerdict;
}

/** A delivery as the listener saw it; the one shape every renderer consumes. */
/** Where a relayed delivery was held: its channel, its sequence there, when the relay got it and how long it was held. */
export interface RelayMark {
  channel: string;
  seq: number;
  receivedAt: string;
  heldMs: number;
}

export interface Delivery {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  /** Header pairs in wire order with their original casing. */
  headers: [string, string][];
  /** Raw bytes as received; null when refused unread for its size. */
  body: Buffer | null;
  size: number;
  /** The parsed body, when it was JSON. */
  json: unknown;
  /** The length of the text `json` was parsed from (decoded when it came compressed); 0 when unknown. */
  decodedLength?: number;
  /** The body is JSON but was parsed off the listener's thread and not kept: parse `body` again to see it. */
  jsonDeferred?: boolean;
  /** A view let go of this delivery's body (it was large): the store has it, if it was stored. */
  bodyReleased?: boolean;
  jsonError: string | null;
  tooLarge: boolean;
  verification: VerifyResult;
  /** Set when the delivery used another scheme than the one configured. */
  schemeNote: string | null;
  /** The likely story behind the signature (legacy scheme, the other key, a changed body), if any. */
  signatureHint: SignatureHint | null;
  duplicate: boolean;
  classification: Classification;
  /** Dropped by the event filter: recorded, not forwarded, not shown. */
  ignored: boolean;
  /** Things about the request itself worth knowing (content type, method…). */
  notes: string[];
  stored: boolean;
  /** The first matching target's answer: what the sender got. */
  forward: ForwardResult | null;
  /** Every other target the delivery went to (several --forward-to), in the order given. */
  otherForwards: ForwardResult[];
  /** The status the sender got. */
  answerStatus: number | null;
  /** Set on a replay: the id of the delivery whose bytes were sent again. */
  replayOf?: string;
  /** Set when it came through a relay (listen --relay): Prembly got its answer from the relay, not from here. */
  relayed?: RelayMark;
}

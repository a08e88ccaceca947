/**
 * The one codec between a delivery and its stored lines. A delivery is stored as one `delivery`
 * line when it arrives and one `outcome` line once its answer is known; a reader merges the two.
 * Decoding checks every field, so readers get exact types and never cast.
 */

import { premblyVerdict, type DeliveryVerdict } from '../delivery/rules.js';
import { describeDelivery } from '../delivery/describe.js';
import type { IdentityStatus } from '../delivery/classify.js';
import type { Delivery, ForwardResult, RelayMark } from '../delivery/types.js';
import type { SendFailureKind } from '../http/send.js';
import type { KeyKind, Scheme } from '../signing/schemes.js';
import type { VerifyReason } from '../signing/verify.js';

export interface StoredVerification {
  /** null on lines that recorded only part of the verdict (the token, say). */
  valid: boolean | null;
  reason: VerifyReason;
  scheme: Scheme | null;
  message: string;
  weak: boolean;
  token: string | null;
  /** Which key matched at receipt; null when none did (or on lines written before keys were told apart). */
  key: KeyKind | null;
}

export interface StoredForward {
  url: string;
  status: number;
  answered: boolean;
  ms: number;
  preview: string;
  error: { kind: SendFailureKind; message: string } | null;
  verdict: DeliveryVerdict;
}

export interface StoredDelivery {
  kind: 'delivery';
  v: 1;
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  /** Header pairs in wire order with their original casing. */
  headers: [string, string][];
  /** The raw body, base64; null when it was refused unread (too large). */
  body: string | null;
  size: number;
  tooLarge: boolean;
  event: string | null;
  identityStatus: IdentityStatus | null;
  reference: string | null;
  /** The verdict at receipt; null on lines written without one. */
  verification: StoredVerification | null;
  duplicate: boolean;
  jsonError: string | null;
  ignored: boolean;
  /** Where the listener forwarded it, if anywhere (the first target). */
  forwardTo: string | null;
  /** Every target it was forwarded to, when there were several. */
  forwardTargets?: string[];
  /** Came through a relay: its channel, sequence there, when the relay got it, how long it was held. */
  relay?: RelayMark;
}

export interface StoredOutcome {
  kind: 'outcome';
  id: string;
  at: string;
  answerStatus: number | null;
  forward: StoredForward | null;
  /** The other targets' answers, when it went to several. */
  others?: StoredForward[];
}

export type StoredLine = StoredDelivery | StoredOutcome;

/** A delivery with its outcome merged in, as readers want it. */
export type DeliveryRecord = StoredDelivery & { outcome?: StoredOutcome };

/** The line written when a delivery arrives, before it is answered. */
export function encodeDelivery(d: Delivery, forwardTo: string | null, forwardTargets: string[] = []): StoredDelivery {
  const v = d.verification;
  return {
    kind: 'delivery',
    v: 1,
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    headers: d.headers,
    body: d.body ? d.body.toString('base64') : null,
    size: d.size,
    tooLarge: d.tooLarge,
    event: d.classification.event,
    identityStatus: d.classification.identityStatus,
    reference: d.classification.reference,
    verification: { valid: v.valid, reason: v.reason, scheme: v.scheme, message: v.message, weak: v.weak, token: v.token, key: v.key },
    duplicate: d.duplicate,
    jsonError: d.jsonError,
    ignored: d.ignored,
    forwardTo,
    ...(forwardTargets.length > 1 ? { forwardTargets } : {}),
    // last on the line: the newest relay mark is then in the store's last few bytes, whatever the body's size
    ...(d.relayed ? { relay: d.relayed } : {}),
  };
}

/** The line written once the sender was answered. */
export function encodeOutcome(
  id: string,
  answerStatus: number,
  forward: ForwardResult | null,
  at = new Date(),
  others: ForwardResult[] = [],
): StoredOutcome {
  const stored = (f: ForwardResult): StoredForward => ({
    url: f.url,
    status: f.status,
    answered: f.answered,
    ms: f.ms,
    preview: f.preview,
    error: f.error,
    verdict: f.verdict,
  });
  return {
    kind: 'outcome',
    id,
    at: at.toISOString(),
    answerStatus,
    forward: forward && stored(forward),
    ...(others.length ? { others: others.map(stored) } : {}),
  };
}

export function lineText(line: StoredLine): string {
  return JSON.stringify(line) + '\n';
}

/**
 * A delivery line ready to append: the JSON before the body, the raw body, the JSON after it. The
 * store writes the body's base64 straight into its write buffer, so an 8 MB body never exists as a
 * base64 string copied three times over, nor as a fresh 11 MB buffer per delivery.
 */
export interface EncodedDelivery {
  kind: 'encoded-delivery';
  id: string;
  head: Buffer;
  body: Buffer | null;
  tail: Buffer;
  /** The line's length in bytes, newline included. */
  length: number;
}

/**
 * Raw bytes per base64 step: a multiple of 3, so no step but the last is padded, and small enough
 * that each step's string is an ordinary young object (a large one lives until a full collection).
 */
const BASE64_STEP = 3 * 16 * 1024;

/** The delivery line `lineText(encodeDelivery(…))` writes, in parts (see EncodedDelivery). */
export function encodeDeliveryLine(d: Delivery, forwardTo: string | null, forwardTargets: string[] = []): EncodedDelivery {
  const record = encodeDelivery({ ...d, body: null }, forwardTo, forwardTargets);
  const body = d.body;
  if (!body) {
    const whole = Buffer.from(lineText(record));
    return { kind: 'encoded-delivery', id: d.id, head: whole, body: null, tail: Buffer.alloc(0), length: whole.length };
  }
  // the key order encodeDelivery writes: everything before the body, the body, everything after
  const { kind, v, id, receivedAt, method, path, headers, body: _none, ...after } = record;
  const head = Buffer.from(`${JSON.stringify({ kind, v, id, receivedAt, method, path, headers }).slice(0, -1)},"body":"`);
  const tail = Buffer.from(`",${JSON.stringify(after).slice(1)}\n`);
  return { kind: 'encoded-delivery', id: d.id, head, body, tail, length: head.length + 4 * Math.ceil(body.length / 3) + tail.length };
}

/** Writes an encoded delivery line into `into` at `at` (room for `line.length` bytes); returns the bytes written. */
export function writeDeliveryLine(line: EncodedDelivery, into: Buffer, at: number): number {
  let to = at + line.head.copy(into, at);
  const body = line.body;
  if (body)
    for (let from = 0; from < body.length; from += BASE64_STEP)
      to += into.write(body.subarray(from, from + BASE64_STEP).toString('base64'), to, 'latin1');
  to += line.tail.copy(into, to);
  return to - at;
}

/** The bytes a line is appended as. */
export function lineBytes(line: StoredLine | EncodedDelivery): Buffer {
  if (line.kind !== 'encoded-delivery') return Buffer.from(lineText(line));
  const bytes = Buffer.allocUnsafe(line.length);
  writeDeliveryLine(line, bytes, 0);
  return bytes;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean => v === true;

function isHeaderPairs(v: unknown): v is [string, string][] {
  return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
}

function decodeVerification(v: unknown): StoredVerification | null {
  if (!isObj(v)) return null;
  const valid = typeof v.valid === 'boolean' ? v.valid : null;
  return {
    valid,
    reason: (strOrNull(v.reason) ?? (valid ? 'valid' : 'missing-signature')) as VerifyReason,
    scheme: strOrNull(v.scheme) as Scheme | null,
    message: strOrNull(v.message) ?? '',
    weak: bool(v.weak),
    token: strOrNull(v.token),
    key: v.key === 'sandbox' || v.key === 'live' ? v.key : null,
  };
}

const VERDICTS: readonly string[] = [
  'delivered',
  'timed-out',
  'no-answer',
  'too-slow',
  'redirect-not-followed',
  'redirect-not-forwarded',
  'not-exactly-200',
  'failed-status',
  'refused-rightly',
] satisfies DeliveryVerdict[];

/** The stored verdict; a line written before verdicts were stored gets one from its facts (by the exactly-200 rule). */
function verdictOf(v: Record<string, unknown>): DeliveryVerdict {
  if (typeof v.verdict === 'string' && VERDICTS.includes(v.verdict)) return v.verdict as DeliveryVerdict;
  const answered = bool(v.answered);
  const timedOut = isObj(v.error) && v.error.kind === 'timeout';
  return premblyVerdict(null, {
    status: answered && typeof v.status === 'number' ? v.status : null,
    ms: typeof v.ms === 'number' ? v.ms : 0,
    timedOut,
  });
}

function decodeForward(v: unknown): StoredForward | null {
  if (!isObj(v) || typeof v.status !== 'number') return null;
  const error = isObj(v.error)
    ? { kind: (strOrNull(v.error.kind) ?? 'other') as SendFailureKind, message: strOrNull(v.error.message) ?? '' }
    : null;
  return {
    url: strOrNull(v.url) ?? '',
    status: v.status,
    answered: bool(v.answered),
    ms: typeof v.ms === 'number' ? v.ms : 0,
    preview: strOrNull(v.preview) ?? '',
    error,
    verdict: verdictOf(v),
  };
}

/** One stored line, checked; null when it is not a line this store writes. */
export function decodeLine(value: unknown): StoredLine | null {
  if (!isObj(value) || typeof value.id !== 'string') return null;
  if (value.kind === 'outcome') {
    return {
      kind: 'outcome',
      id: value.id,
      at: strOrNull(value.at) ?? '',
      answerStatus: typeof value.answerStatus === 'number' ? value.answerStatus : null,
      forward: decodeForward(value.forward),
      ...(Array.isArray(value.others) ? { others: value.others.map(decodeForward).filter((f): f is StoredForward => f !== null) } : {}),
    };
  }
  if (value.kind !== 'delivery' || typeof value.receivedAt !== 'string' || !isHeaderPairs(value.headers)) return null;
  const body = strOrNull(value.body);
  return {
    kind: 'delivery',
    v: 1,
    id: value.id,
    receivedAt: value.receivedAt,
    method: strOrNull(value.method) ?? 'POST',
    path: strOrNull(value.path) ?? '/',
    headers: value.headers,
    body,
    size: typeof value.size === 'number' ? value.size : 0,
    tooLarge: bool(value.tooLarge) || body === null,
    event: strOrNull(value.event),
    identityStatus: strOrNull(value.identityStatus) as IdentityStatus | null,
    reference: strOrNull(value.reference),
    verification: decodeVerification(value.verification),
    duplicate: bool(value.duplicate),
    jsonError: strOrNull(value.jsonError),
    ignored: bool(value.ignored),
    forwardTo: strOrNull(value.forwardTo),
    ...(Array.isArray(value.forwardTargets)
      ? { forwardTargets: value.forwardTargets.filter((t): t is string => typeof t === 'string') }
      : {}),
    ...(decodeRelay(value.relay) ? { relay: decodeRelay(value.relay)! } : {}),
  };
}

function decodeRelay(v: unknown): RelayMark | null {
  if (!isObj(v) || typeof v.channel !== 'string' || typeof v.seq !== 'number' || typeof v.receivedAt !== 'string') return null;
  return { channel: v.channel, seq: v.seq, receivedAt: v.receivedAt, heldMs: typeof v.heldMs === 'number' ? v.heldMs : 0 };
}

export interface LoadResult {
  records: DeliveryRecord[];
  /** Lines that could not be read, with their line numbers. */
  skipped: number[];
}

/** Every record in a store file's text; unreadable lines are skipped and counted, never fatal. */
export function parseStoreText(text: string): LoadResult {
  const deliveries = new Map<string, DeliveryRecord>();
  const skipped: number[] = [];
  const lines = text.split('\n');
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    let line: StoredLine | null;
    try {
      line = decodeLine(JSON.parse(text));
    } catch {
      line = null;
    }
    if (line?.kind === 'delivery') deliveries.set(line.id, line);
    else if (line?.kind === 'outcome') {
      const record = deliveries.get(line.id);
      if (record) record.outcome = line;
    } else skipped.push(index + 1);
  });
  return { records: [...deliveries.values()], skipped };
}

/** The delivery as `idpass listen` described it when it arrived (verdict as at receipt). */
export function deliveryFromRecord(record: DeliveryRecord, keys: { publicKey: string; livePublicKey?: string }): Delivery {
  const d = describeDelivery({
    id: record.id,
    receivedAt: record.receivedAt,
    method: record.method,
    path: record.path,
    headers: record.headers,
    body: record.body === null ? null : Buffer.from(record.body, 'base64'),
    size: record.size,
    ...keys,
  });
  const atReceipt = record.verification;
  if (atReceipt && atReceipt.valid !== null) {
    d.verification = { ...d.verification, ...atReceipt, valid: atReceipt.valid };
    // the hint was worked out against today's keys; a delivery valid at receipt keeps only the scheme's note
    if (atReceipt.valid && d.signatureHint?.code !== 'legacy-scheme') d.signatureHint = null;
  }
  d.duplicate = record.duplicate;
  d.ignored = record.ignored;
  d.stored = true;
  if (record.relay) d.relayed = record.relay;
  const forward = record.outcome?.forward;
  if (forward) d.forward = { ...forward, contentType: null, body: Buffer.from(forward.preview) };
  d.otherForwards = (record.outcome?.others ?? []).map((f) => ({ ...f, contentType: null, body: Buffer.from(f.preview) }));
  const answered = record.outcome?.answerStatus;
  d.answerStatus = typeof answered === 'number' ? answered : d.tooLarge ? 413 : d.jsonError ? 400 : 200;
  return d;
}

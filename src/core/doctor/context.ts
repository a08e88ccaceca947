/** The requests a doctor check sends, and the handler's answers, in one shape. */

import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY } from '../signing/schemes.js';
import { randomUUID } from 'node:crypto';
import { findEvent, type EventInfo } from '../delivery/catalog.js';
import { IDENTITYPASS_TIMEOUT_MS } from '../delivery/rules.js';
import { SendError, sendRequest, type SendFailureKind } from '../http/send.js';
import { maskUrl } from '../http/url.js';
import type { KeyKind, Scheme } from '../signing/schemes.js';
import { sign } from '../signing/sign.js';
import { loadFixture } from '../trigger/fixtures.js';
import { replyPreview, sendFollowing } from '../trigger/send.js';
import { DoctorError, type DoctorOptions } from './types.js';

export interface Outgoing {
  event: string;
  reference: string;
  body: Buffer;
  headers: Record<string, string>;
  followRedirects: boolean;
  /** How it was signed, for the card: "HMAC with the live key", "no signature". */
  signed: string;
}

export interface Exchange {
  status: number | null;
  ms: number;
  /** The first bytes of the reply, on one line. */
  reply: string;
  redirects: string[];
  error: { kind: SendFailureKind; message: string; connected: boolean } | null;
}

const KEY_NAME: Record<KeyKind, string> = { sandbox: 'sandbox key', live: 'live key' };

/** Deliveries in a row without an answer after which the handler counts as not answering. */
export const SILENT_LIMIT = 3;

export class DoctorContext {
  private silentInARow = 0;
  readonly url: URL;
  readonly timeoutMs: number;
  readonly stateUrl: string | null;

  constructor(readonly options: DoctorOptions) {
    this.url = typeof options.url === 'string' ? new URL(options.url) : options.url;
    this.timeoutMs = options.timeoutMs ?? IDENTITYPASS_TIMEOUT_MS;
    this.stateUrl = options.stateUrl ?? null;
    if (this.stateUrl !== null) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(this.stateUrl.replaceAll('{reference}', 'x'));
      } catch {
        // reported below
      }
      if (!parsed || !/^https?:$/.test(parsed.protocol)) {
        throw new DoctorError('bad-state-url', 'the state URL is not an http(s) URL', { detail: this.stateUrl });
      }
      if (!this.stateUrl.includes('{reference}')) {
        throw new DoctorError('bad-state-url', 'the state URL needs {reference} where the reference goes', { detail: this.stateUrl });
      }
    }
  }

  info(event: string): EventInfo {
    const info = findEvent(event);
    if (!info) throw new DoctorError('unknown-event', `unknown event "${event}"`, { detail: event });
    return info;
  }

  key(kind: KeyKind): string {
    return kind === 'live' ? this.options.livePublicKey : this.options.publicKey;
  }

  /**
   * Which key signed a delivery of this kind, said so a refusal can be read: the built-in stand-in
   * or the user's own, sandbox or live, and what the handler needs to accept it.
   */
  keyAdvice(event: string): string {
    const kind = this.info(event).signedWith;
    const builtin = this.key(kind) === (kind === 'live' ? BUILTIN_LIVE_TEST_KEY : BUILTIN_TEST_KEY);
    const variable = kind === 'live' ? 'IDPASS_LIVE_PUBLIC_KEY' : 'IDPASS_PUBLIC_KEY';
    const which = `it was signed with ${builtin ? `idpass's built-in ${KEY_NAME[kind]}` : `your ${KEY_NAME[kind]}`}, as Prembly signs ${event}`;
    return builtin
      ? `${which}: a handler holding your own key refuses it; run doctor with ${variable}=<your ${kind === 'live' ? 'live_pk_…' : 'test_pk_…'}>`
      : `${which}: your handler needs that key too${kind === 'live' ? ' (Prembly signs retry results, workflows and async events with the live key, even from sandbox)' : ''}`;
  }

  /** A body for a kind, as Prembly sends it, with this reference (a fresh one by default). */
  body(event: string, reference: string = randomUUID()): { body: Record<string, unknown>; reference: string } {
    return { body: loadFixture(event, { reference }), reference };
  }

  /** Exact bytes signed as Prembly signs this kind (or with a legacy scheme), with a fresh token. */
  signed(event: string, bytes: Buffer, reference: string, scheme: Scheme = 'prembly-hmac'): Outgoing {
    const info = this.info(event);
    const { headers } = sign({ body: bytes, publicKey: this.key(info.signedWith), scheme, token: randomUUID() });
    const how = scheme === 'prembly-hmac' ? 'HMAC' : `the legacy ${scheme} scheme`;
    return {
      event,
      reference,
      body: bytes,
      headers,
      followRedirects: info.followsRedirects,
      signed: `${how} with the ${KEY_NAME[info.signedWith]}`,
    };
  }

  /** A genuine delivery of a kind: its fixture, compact JSON, signed with the key Prembly uses for it. */
  genuine(event: string, reference?: string): Outgoing {
    const made = this.body(event, reference);
    return this.signed(event, Buffer.from(JSON.stringify(made.body)), made.reference);
  }

  /** Whether the handler has answered none of the last SILENT_LIMIT deliveries: it is not answering at all. */
  get silent(): boolean {
    return this.silentInARow >= SILENT_LIMIT;
  }

  /** The last answered request's time: a check's result says it apart from the check's own duration. */
  lastAnswerMs: number | null = null;

  async send(out: Outgoing): Promise<Exchange> {
    const ex = await this.exchange(out);
    this.lastAnswerMs = ex.status === null ? null : Math.round(ex.ms * 10) / 10;
    return ex;
  }

  private async exchange(out: Outgoing): Promise<Exchange> {
    // a handler that answers nothing would take every check to its time limit (minutes): stop sending
    if (this.silent) {
      const message = `not sent: the handler answered none of the last ${SILENT_LIMIT} deliveries within ${formatMs(this.timeoutMs)}`;
      return { status: null, ms: 0, reply: '', redirects: [], error: { kind: 'timeout', message, connected: true } };
    }
    try {
      const { reply, redirects, ms } = await sendFollowing(
        out,
        this.url,
        this.timeoutMs,
        this.options.signal,
        undefined,
        this.options.insecure,
      );
      this.silentInARow = 0;
      return { status: reply.status, ms, reply: replyPreview(reply.body, reply.truncated, 160), redirects, error: null };
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      if (!error.connected && (error.kind === 'refused' || error.kind === 'dns')) {
        throw new DoctorError('unreachable', `${maskUrl(this.url)}: ${error.message}`, { detail: error.kind });
      }
      if (error.kind === 'timeout') this.silentInARow++;
      return {
        status: null,
        ms: error.ms,
        reply: '',
        redirects: [],
        error: { kind: error.kind, message: error.message, connected: error.connected },
      };
    }
  }

  /** The app's view of a reference (GET on the state URL), or null without one or when it cannot be read. */
  async state(reference: string): Promise<string | null> {
    if (this.stateUrl === null) return null;
    const url = new URL(this.stateUrl.replaceAll('{reference}', encodeURIComponent(reference)));
    try {
      const reply = await sendRequest({
        url,
        method: 'GET',
        headers: {},
        body: new Uint8Array(0),
        timeoutMs: this.timeoutMs,
        insecure: this.options.insecure,
      });
      return `${reply.status} ${normalise(reply.body.toString('utf8'))}`;
    } catch (error) {
      return error instanceof SendError ? `unreadable (${error.message})` : null;
    }
  }
}

/** JSON with its keys sorted, so two views of the same state compare equal; other text trimmed. */
function normalise(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text.trim();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** "200 in 4 ms", "401 in 3 ms: {…}", "no complete reply within 10 s". */
export function describeExchange(ex: Exchange, withReply = true): string {
  if (ex.error) return ex.error.message;
  const hops = ex.redirects.length > 0 ? ` after ${ex.redirects.length} redirect${ex.redirects.length > 1 ? 's' : ''}` : '';
  const reply = withReply && ex.reply ? `: ${ex.reply}` : '';
  return `${ex.status} in ${formatMs(ex.ms)}${hops}${reply}`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function describeOutgoing(out: Outgoing, what = out.event): string {
  return `${what}, ${out.signed}, ${out.body.length.toLocaleString('en')} bytes`;
}

/** Webhook deliveries as Prembly makes them: one key per kind, its delivery rule, its retry schedule. */

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { findEvent, type EventInfo } from '../delivery/catalog.js';
import { deliveredStatus, IDENTITYPASS_TIMEOUT_MS } from '../delivery/rules.js';
import { SendError } from '../http/send.js';
import { maskUrl } from '../http/url.js';
import type { KeyKind } from '../signing/schemes.js';
import { sign } from '../signing/sign.js';
import { replyPreview, sendFollowing } from '../trigger/send.js';

export interface Attempt {
  n: number;
  at: string;
  /** A dashboard resend rather than a scheduled attempt. */
  resend: boolean;
  status: number | null;
  ms: number;
  error: string | null;
  delivered: boolean;
  /** The first bytes of the reply (Prembly keeps 1,000 characters in its delivery log). */
  reply: string;
}

export type DeliveryState = 'scheduled' | 'retrying' | 'delivered' | 'failed' | 'cancelled' | 'no-url';

export interface SandboxDelivery {
  id: string;
  event: string;
  reference: string;
  key: KeyKind;
  token: string;
  url: string | null;
  state: DeliveryState;
  attempts: Attempt[];
  /** When the next attempt is due (ISO), while one is. */
  nextAt: string | null;
  body: Buffer;
  /** Called once, as the first attempt starts (the sandbox marks a pending verification done then). */
  onFirstAttempt?: () => void;
}

/** A delivery as plain facts: everything but its bytes and the internal hook. */
export function deliveryFacts(d: SandboxDelivery): Omit<SandboxDelivery, 'body' | 'onFirstAttempt'> {
  const { body: _body, onFirstAttempt: _hook, ...facts } = d;
  return facts;
}

export interface DispatcherOptions {
  publicKey: string;
  livePublicKey: string;
  /** Compresses every wait: 60 turns an hour into a minute. */
  timeScale: number;
  /** How long an answer may take (Prembly waits 10 s). Not scaled. */
  timeoutMs?: number;
  webhookUrl: () => URL | null;
}

/** What the dispatcher reports: an attempt made, or a delivery that reached its end. */
export type DispatchFact =
  { type: 'attempt'; delivery: SandboxDelivery; attempt: Attempt } | { type: 'settled'; delivery: SandboxDelivery };

const TRANSIENT = new Set([408, 425, 429]);

/** How many webhooks the admin API remembers: the newest, whatever their size. */
export const MAX_KEPT = 1_000;

export class Dispatcher extends EventEmitter<{ fact: [DispatchFact] }> {
  private readonly deliveries: SandboxDelivery[] = [];
  private closed = false;
  private readonly stopping = new AbortController();
  private readonly cancelled = new Set<SandboxDelivery>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {
    super();
  }

  list(): readonly SandboxDelivery[] {
    return this.deliveries;
  }

  find(id: string): SandboxDelivery | undefined {
    return this.deliveries.find((d) => d.id === id);
  }

  /** Queues a delivery of a kind, first attempt after `delayMs` (scaled), signed as Prembly signs that kind. */
  enqueue(event: string, body: Record<string, unknown>, reference: string, delayMs = 0): SandboxDelivery {
    const info = this.info(event);
    const bytes = Buffer.from(JSON.stringify(body));
    const key = info.signedWith;
    const delivery: SandboxDelivery = {
      id: `whk_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      event,
      reference,
      key,
      token: randomUUID(),
      url: null,
      state: 'scheduled',
      attempts: [],
      nextAt: null,
      body: bytes,
    };
    this.deliveries.push(delivery);
    this.forgetOldest();
    this.schedule(delivery, delayMs);
    return delivery;
  }

  /** Keeps the history bounded: past MAX_KEPT, the oldest settled deliveries go (a scheduled one never does). */
  private forgetOldest(): void {
    if (this.deliveries.length <= MAX_KEPT) return;
    const settled = new Set(['delivered', 'failed', 'no-url', 'cancelled']);
    for (let i = 0; i < this.deliveries.length && this.deliveries.length > MAX_KEPT;) {
      const d = this.deliveries[i]!;
      if (settled.has(d.state) && !this.timers.has(d.id)) {
        this.deliveries.splice(i, 1);
        this.cancelled.delete(d);
      } else i++;
    }
  }

  /** The dashboard's resend: the same body and token, sent now, whatever the delivery's state. */
  async resend(id: string): Promise<Attempt | null> {
    const delivery = this.find(id);
    if (!delivery) return null;
    return this.attempt(delivery, true);
  }

  /** Stops every scheduled attempt; returns the deliveries that will now never be sent again. */
  /**
   * Cancels every scheduled webhook and stops the attempts in flight; a delivery whose attempt was
   * cut short, or that would have been retried, is cancelled too. Returns every cancelled delivery.
   */
  async close(): Promise<SandboxDelivery[]> {
    this.closed = true;
    for (const [id, timer] of this.timers) {
      clearTimeout(timer);
      this.cancel(this.find(id)!);
    }
    this.timers.clear();
    this.stopping.abort();
    await Promise.all(this.inFlight);
    return [...this.cancelled];
  }

  private cancel(delivery: SandboxDelivery): void {
    delivery.state = 'cancelled';
    delivery.nextAt = null;
    this.cancelled.add(delivery);
  }

  private info(event: string): EventInfo {
    const info = findEvent(event);
    if (!info) throw new Error(`unknown event ${event}`);
    return info;
  }

  private schedule(delivery: SandboxDelivery, delayMs: number): void {
    // after close nothing new is scheduled: a retry wanted then is a cancelled webhook
    if (this.closed) return this.cancel(delivery);
    const wait = Math.max(0, Math.round(delayMs / this.options.timeScale));
    delivery.nextAt = new Date(Date.now() + wait).toISOString();
    const timer = setTimeout(() => {
      this.timers.delete(delivery.id);
      const run = this.attempt(delivery, false).then(() => undefined);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }, wait);
    this.timers.set(delivery.id, timer);
  }

  private async attempt(delivery: SandboxDelivery, resend: boolean): Promise<Attempt> {
    const info = this.info(delivery.event);
    const url = this.options.webhookUrl();
    const n = delivery.attempts.length + 1;
    const at = new Date().toISOString();
    delivery.nextAt = null;
    if (n === 1) delivery.onFirstAttempt?.();
    if (!url) {
      const attempt: Attempt = { n, at, resend, status: null, ms: 0, error: 'no webhook URL set', delivered: false, reply: '' };
      delivery.attempts.push(attempt);
      delivery.state = 'no-url';
      this.emit('fact', { type: 'attempt', delivery, attempt });
      return attempt;
    }
    delivery.url = maskUrl(url);
    const publicKey = delivery.key === 'live' ? this.options.livePublicKey : this.options.publicKey;
    const { headers } = sign({ body: delivery.body, publicKey, token: delivery.token });
    const timeoutMs = this.options.timeoutMs ?? IDENTITYPASS_TIMEOUT_MS;
    let attempt: Attempt;
    try {
      const planned = { headers, body: delivery.body, followRedirects: info.followsRedirects };
      const { reply, ms } = await sendFollowing(planned, url, timeoutMs, this.stopping.signal);
      const delivered = deliveredStatus(info.name).matches(reply.status);
      attempt = { n, at, resend, status: reply.status, ms, error: null, delivered, reply: replyPreview(reply.body, reply.truncated, 1000) };
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      attempt = { n, at, resend, status: null, ms: error.ms, error: error.message, delivered: false, reply: '' };
    }
    delivery.attempts.push(attempt);
    this.emit('fact', { type: 'attempt', delivery, attempt });
    if (resend) return attempt;
    if (this.closed && !attempt.delivered) {
      this.cancel(delivery);
      return attempt;
    }
    if (attempt.delivered) delivery.state = 'delivered';
    else if (this.retries(info, attempt, n)) {
      delivery.state = 'retrying';
      this.schedule(delivery, info.retries.waitsMs[n - 1]!);
      return attempt;
    } else delivery.state = 'failed';
    this.emit('fact', { type: 'settled', delivery });
    return attempt;
  }

  /** Whether Prembly tries this kind again after this failed attempt. */
  private retries(info: EventInfo, attempt: Attempt, n: number): boolean {
    if (n >= info.retries.attempts) return false;
    if (info.retries.retryOn === 'any') return true;
    const status = attempt.status;
    return status === null || status >= 500 || TRANSIENT.has(status);
  }
}

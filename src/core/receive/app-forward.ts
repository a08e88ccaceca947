/** Forwarding to the developer's apps (one or several, some per event), with Prembly's verdict on each answer, and replays. */

import { forwardVerdict, judgeRefusal } from '../delivery/rules.js';
import type { Delivery, ForwardResult } from '../delivery/types.js';
import { Forwarder } from '../http/forward.js';
import { maskUrl } from '../http/url.js';
import { isProtectedHeader } from '../signing/schemes.js';
import { newDeliveryId } from '../store/log.js';
import { ListenError } from './bind.js';

export interface ForwardTarget {
  url: URL;
  /** Only deliveries whose event this accepts go there; every delivery when omitted. */
  events?: (event: string | null) => boolean;
  /** The pattern as the user wrote it, for display. */
  pattern?: string;
}

export interface AppForwardOptions {
  targets: ForwardTarget[];
  /** null waits as long as the app takes. */
  timeoutMs: number | null;
  headers?: readonly [string, string][];
  /** Let --forward-header replace the signature or token headers (tests of a handler's checks). */
  allowSignatureOverride?: boolean;
  insecure?: boolean;
}

export class AppForward {
  private readonly routes: { target: ForwardTarget; forwarder: Forwarder; masked: string }[];

  constructor(options: AppForwardOptions) {
    const headers = options.headers ?? [];
    const overriding = headers.find(([name]) => isProtectedHeader(name));
    if (overriding && !options.allowSignatureOverride) {
      throw new ListenError('protected-header', `a forwarded header may not replace ${overriding[0]}: the app must see what Prembly sent`);
    }
    this.routes = options.targets.map((target) => ({
      target,
      forwarder: new Forwarder({ target: target.url, timeoutMs: options.timeoutMs, headers, insecure: options.insecure }),
      masked: maskUrl(target.url),
    }));
  }

  get targets(): ForwardTarget[] {
    return this.routes.map((r) => r.target);
  }

  /** The targets a delivery of this event goes to, in the order given, as shown and stored (masked). */
  matching(event: string | null): string[] {
    return this.routes.filter((r) => !r.target.events || r.target.events(event)).map((r) => r.masked);
  }

  /** Every matching target at once; the first result is the one the sender gets. Empty when none matches. */
  async forward(
    delivery: Pick<Delivery, 'path' | 'headers' | 'classification'>,
    body: Buffer,
    signal?: AbortSignal,
  ): Promise<ForwardResult[]> {
    return this.forwardEach(delivery, body, signal).all;
  }

  /**
   * Every matching target at once: `first` settles when the first target (whose answer the sender
   * gets) answers, whatever the others are doing; `all` when every target has.
   */
  forwardEach(
    delivery: Pick<Delivery, 'path' | 'headers' | 'classification'>,
    body: Buffer,
    signal?: AbortSignal,
  ): { first: Promise<ForwardResult>; all: Promise<ForwardResult[]> } {
    const event = delivery.classification.event;
    const routes = this.routes.filter((r) => !r.target.events || r.target.events(event));
    const each = routes.map(async ({ forwarder }) => {
      const reply = await forwarder.forward(delivery.path, delivery.headers, body, signal);
      return { ...reply, verdict: forwardVerdict(reply, event) };
    });
    return { first: each[0]!, all: Promise.all(each) };
  }

  /** The original bytes and headers again, to every matching target, as a new delivery marked as a replay (not recorded). */
  async replay(original: Delivery, signal?: AbortSignal): Promise<Delivery> {
    if (!original.body) throw new ListenError('no-body', 'that delivery was refused unread (too large): there are no bytes to replay');
    const [forward = null, ...otherForwards] = (await this.forward(original, original.body, signal)).map((f) =>
      judgeRefusal(f, original.verification),
    );
    if (!forward) throw new ListenError('no-forward-target', `no forward target takes ${original.classification.event ?? 'this delivery'}`);
    const fresh = { id: newDeliveryId(), receivedAt: new Date().toISOString() };
    return {
      ...original,
      ...fresh,
      replayOf: original.id,
      duplicate: false,
      stored: false,
      forward,
      otherForwards,
      answerStatus: forward.status,
    };
  }

  /** The targets as shown and stored: masked URLs, with their event pattern. */
  describe(): string[] {
    return this.routes.map((r) => (r.target.pattern ? `${r.target.pattern}=${r.masked}` : r.masked));
  }

  close(): void {
    for (const r of this.routes) r.forwarder.close();
  }
}

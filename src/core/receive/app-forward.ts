import { forwardWarning } from '../delivery/rules.js';
import type { Delivery, ForwardResult } from '../delivery/types.js';
import { Forwarder } from '../http/forward.js';
import { newDeliveryId } from '../store/log.js';
import { ListenError } from './bind.js';

/** Forwarding to the developer's app, with Prembly's verdict on each answer, and replays. */
export class AppForward {
  private readonly forwarder: Forwarder;

  constructor(target: URL, timeoutMs: number) {
    this.forwarder = new Forwarder({ target, timeoutMs });
  }

  get target(): URL {
    return this.forwarder.target;
  }

  async forward(
    delivery: Pick<Delivery, 'path' | 'headers' | 'classification'>,
    body: Buffer,
    signal?: AbortSignal,
  ): Promise<ForwardResult> {
    const reply = await this.forwarder.forward(delivery.path, delivery.headers, body, signal);
    return { ...reply, warning: forwardWarning(reply, delivery.classification.event) };
  }

  /** The original bytes and headers again, as a new delivery marked as a replay (not recorded: it was not received). */
  async replay(original: Delivery, signal?: AbortSignal): Promise<Delivery> {
    if (!original.body) throw new ListenError('no-body', 'that delivery was refused unread (too large): there are no bytes to replay');
    const forward = await this.forward(original, original.body, signal);
    const fresh = { id: newDeliveryId(), receivedAt: new Date().toISOString() };
    return { ...original, ...fresh, replayOf: original.id, duplicate: false, stored: false, forward, answerStatus: forward.status };
  }

  close(): void {
    this.forwarder.close();
  }
}

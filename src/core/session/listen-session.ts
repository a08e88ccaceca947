/**
 * `listen` as a session, as stripe-cli runs its proxy: it owns the intake (the listener), the
 * sources that feed it (HTTP, and any added), the tunnel, the count for "wait for N deliveries",
 * the time limit and the drain; it emits one fact stream and resolves one outcome. Renderers
 * consume the facts and never reach back in, except through replay() and stop().
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { reachesLoopback } from '../common/hosts.js';
import type { EventFilter } from '../delivery/event-filter.js';
import type { Delivery } from '../delivery/types.js';
import type { ListenSessionFact } from '../receive/facts.js';
import type { HttpReady } from '../receive/http-source.js';
import { createListener, type Listener, type ListenerOptions } from '../receive/listener.js';
import type { DeliverySource } from '../receive/source.js';
import type { TunnelSupervisor } from '../tunnel/supervisor.js';

export interface ListenSessionOptions {
  intake: Omit<ListenerOptions, 'probeSecret'>;
  bind: { port: number; host: string };
  /** The localtunnel server to open a public URL at; null for none. */
  tunnel: { host: URL; subdomain?: string } | null;
  /** More sources than the HTTP listener (the relay client). */
  sources?: DeliverySource[];
  /** End once this many matching deliveries arrived. */
  waitFor?: { filter?: EventFilter; count: number } | null;
  /** End after this long: `timed-out` when waiting for deliveries, else `time-up`. */
  timeoutMs?: number;
}

/** Why a session ended. */
export type ListenOutcome =
  | { reason: 'met'; matched: number; wanted: number }
  | { reason: 'timed-out'; matched: number; wanted: number; timeoutMs: number }
  | { reason: 'time-up' }
  /** stop() was called: an interrupt, or the live view's quit. */
  | { reason: 'stopped'; waiting: boolean };

export class ListenSession extends EventEmitter<{ fact: [ListenSessionFact] }> {
  readonly listener: Listener;
  private supervisor: TunnelSupervisor | null = null;
  private readonly probeSecret = randomBytes(16).toString('hex');
  private end: (outcome: ListenOutcome) => void = () => undefined;
  private readonly ended: Promise<ListenOutcome>;
  private matched = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenSessionOptions) {
    super();
    this.ended = new Promise((resolve) => (this.end = resolve));
    this.listener = createListener({ ...options.intake, probeSecret: this.probeSecret });
    for (const source of options.sources ?? []) {
      this.listener.addSource(source);
      source.onFact?.((fact) => this.emit('fact', fact));
    }
    this.listener.on('fact', (fact) => {
      this.emit('fact', fact);
      if (fact.type === 'completed') this.count(fact.delivery);
    });
  }

  private count(delivery: Delivery): void {
    const wait = this.options.waitFor;
    if (!wait || delivery.ignored || (wait.filter && !wait.filter(delivery.classification.event))) return;
    this.matched++;
    if (this.matched >= wait.count) this.end({ reason: 'met', matched: this.matched, wanted: wait.count });
  }

  /** Binds the HTTP source (a ListenError when it cannot) and starts the others. */
  async start(): Promise<HttpReady> {
    try {
      return await this.listener.start(this.options.bind);
    } catch (error) {
      await this.listener.close();
      throw error;
    }
  }

  /**
   * Runs the started session: the time limit starts, the tunnel opens in the background, and the
   * promise resolves when the session should end: the deliveries waited for arrived, time ran out,
   * or stop() was called. close() comes after.
   */
  async run(): Promise<ListenOutcome> {
    const { timeoutMs, waitFor } = this.options;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(
        () => this.end(waitFor ? { reason: 'timed-out', matched: this.matched, wanted: waitFor.count, timeoutMs } : { reason: 'time-up' }),
        timeoutMs,
      );
    }
    const port = this.listener.port;
    if (this.options.tunnel && port !== null) await this.startTunnel(this.options.tunnel, port);
    return this.ended;
  }

  private async startTunnel(tunnel: { host: URL; subdomain?: string }, port: number): Promise<void> {
    const { TunnelSupervisor } = await import('../tunnel/supervisor.js');
    const { localtunnelProvider } = await import('../tunnel/localtunnel.js');
    const host = this.options.bind.host;
    this.supervisor = new TunnelSupervisor({
      provider: localtunnelProvider({ host: tunnel.host, localPort: port, localHost: reachesLoopback(host) ? undefined : host }),
      subdomain: tunnel.subdomain,
      probeSecret: this.probeSecret,
    });
    this.supervisor.on('fact', (fact) => this.emit('fact', fact));
    this.supervisor.start();
  }

  /** Ends the session (an interrupt, or the live view's quit). */
  stop(): void {
    this.end({ reason: 'stopped', waiting: Boolean(this.options.waitFor) });
  }

  /**
   * A recorded delivery's body read back from the store (for a view that let go of a large one):
   * the bytes and the parsed body, nothing recomputed; null when it is not stored.
   */
  async loadBody(id: string): Promise<Pick<Delivery, 'body' | 'json' | 'decodedLength'> | null> {
    const store = this.options.intake.store;
    if (!store) return null;
    const { readDeliveryAt, scanForId } = await import('../store/read.js');
    const { parseBody } = await import('../delivery/describe.js');
    // one read where the store wrote it; a scan only when it no longer knows (after a compaction)
    const place = store.placeOf(id);
    const record =
      (place && (await readDeliveryAt(store.dir, id, place))) || (await scanForId(store.dir, id, 1)).matches.find((r) => r.id === id);
    if (!record?.body) return null;
    const body = Buffer.from(record.body, 'base64');
    const parsed = parseBody(body, record.headers);
    return { body, json: parsed.json, decodedLength: parsed.textLength };
  }

  /** Where the store wrote a delivery (its folder, and the line's place when it still knows); null when not recording. */
  storedAt(id: string): { dir: string; place: { offset: number; length: number } | null } | null {
    const store = this.options.intake.store;
    return store ? { dir: store.dir, place: store.placeOf(id) } : null;
  }

  /** Sends a recorded delivery to the forward targets again. */
  replay(delivery: Delivery): Promise<Delivery> {
    return this.listener.replay(delivery);
  }

  get tunnelOn(): boolean {
    return this.options.tunnel !== null;
  }

  /** Closes the tunnel, stops every source, drains what is in flight and flushes the store. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.supervisor?.stop();
    await this.listener.close();
  }
}

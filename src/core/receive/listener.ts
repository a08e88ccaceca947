import { EventEmitter, setMaxListeners } from 'node:events';
import { DEFAULT_FORWARD_TIMEOUT_MS, DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT } from '../common/defaults.js';
import { describeDelivery, type ParsedBody } from '../delivery/describe.js';
import { BodyParser } from '../delivery/parse-off-thread.js';
import type { Delivery } from '../delivery/types.js';
import { BUILTIN_TEST_KEY, type Scheme } from '../signing/schemes.js';
import { encodeDeliveryLine, encodeOutcome } from '../store/codec.js';
import { judgeRefusal } from '../delivery/rules.js';
import { newDeliveryId, type DeliveryStore } from '../store/log.js';
import { AppForward, type ForwardTarget } from './app-forward.js';
import { ListenError } from './bind.js';
import { HttpSource, type HttpReady } from './http-source.js';
import type { ListenerFact } from './facts.js';
import { Recorder } from './recorder.js';
import type { DeliveryAnswer, DeliveryIntake, DeliverySource, IncomingDelivery } from './source.js';
import { TokenWindow } from './token-window.js';

export interface ListenerOptions {
  /** The sandbox public key deliveries are verified with. */
  publicKey?: string;
  /** The live public key, tried second (Prembly signs some kinds with it even from sandbox). */
  livePublicKey?: string;
  /** The scheme the user expects; deliveries in another one are noted, not refused. */
  scheme?: Scheme;
  /** One app, or several targets (some only for certain events): every matching one gets each delivery; the sender gets the first's answer. */
  forwardTo?: URL | string | null | ForwardTarget[];
  /** How long an app may take; null waits as long as it takes (the shutdown grace is then 10 minutes). */
  forwardTimeoutMs?: number | null;
  /** Headers added to forwarded requests (never the signature or token, unless allowSignatureOverride). */
  forwardHeaders?: readonly [string, string][];
  allowSignatureOverride?: boolean;
  /** Accept a self-signed certificate on an HTTPS target. */
  insecure?: boolean;
  /** Bigger bodies get 413 (still recorded, without the body). */
  maxBodyBytes?: number;
  /** Where deliveries are recorded; null records nothing. */
  store?: DeliveryStore | null;
  /** Which event names to forward and show; all when omitted. */
  filter?: (event: string | null) => boolean;
  /** Answers GET /.idpass/probe/<nonce> so a tunnel supervisor can check the path end to end. */
  probeSecret?: string;
}

const MAX_TOKENS = 50_000;
const RECEIVED = Buffer.from(JSON.stringify({ received: true }));
const IGNORED = Buffer.from(JSON.stringify({ received: true, ignored: true }));
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}): DeliveryAnswer => ({
  status,
  body: Buffer.from(JSON.stringify(body)),
  headers: { ...JSON_TYPE, ...headers },
});

/**
 * The intake every source feeds: reads nothing itself, but verifies, classifies, records, forwards
 * and decides each answer. Its own source is the HTTP listener; more can be added (the relay
 * client). Emits facts, prints nothing.
 */
export class Listener extends EventEmitter<{ fact: [ListenerFact] }> implements DeliveryIntake {
  /** The HTTP source: its express app can be mounted in another server. */
  private readonly http: HttpSource;
  private readonly sources: DeliverySource[] = [];
  readonly publicKey: string;
  private readonly forwarder: AppForward | null;
  private readonly recorder: Recorder;
  private readonly maxBodyBytes: number;
  private readonly forwardTimeoutMs: number | null;
  private readonly tokens = new TokenWindow(MAX_TOKENS);
  private readonly parser = new BodyParser();
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private started = false;
  private readonly abort = new AbortController();
  count = 0;

  constructor(private readonly options: ListenerOptions = {}) {
    super();
    if (options.publicKey !== undefined && options.publicKey.trim() === '') {
      throw new TypeError('createListener() needs a public key to verify with, not an empty one (omit it for the built-in test key)');
    }
    this.publicKey = options.publicKey ?? BUILTIN_TEST_KEY;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    // every forward in flight listens for shutdown on this one signal: any number is expected
    setMaxListeners(0, this.abort.signal);
    const targets: ForwardTarget[] = Array.isArray(options.forwardTo)
      ? options.forwardTo
      : options.forwardTo
        ? [{ url: new URL(options.forwardTo) }]
        : [];
    this.forwardTimeoutMs = options.forwardTimeoutMs === undefined ? DEFAULT_FORWARD_TIMEOUT_MS : options.forwardTimeoutMs;
    this.forwarder = targets.length
      ? new AppForward({
          targets,
          timeoutMs: this.forwardTimeoutMs,
          headers: options.forwardHeaders,
          allowSignatureOverride: options.allowSignatureOverride,
          insecure: options.insecure,
        })
      : null;
    this.recorder = new Recorder(options.store ?? null, (fact) => this.fact(fact));
    this.http = new HttpSource({
      maxBodyBytes: this.maxBodyBytes,
      probeSecret: options.probeSecret,
      count: () => this.count,
      warn: (message) => this.fact({ type: 'warning', message }),
    });
    this.http.attach(this);
  }

  /** The express app serving the listener, for mounting in another server. */
  get app() {
    return this.http.app;
  }

  /** The first forward target (the one the sender's answer comes from), if any. */
  get forwardTarget(): URL | null {
    return this.forwarder?.targets[0]?.url ?? null;
  }

  /** Every forward target as shown: masked URLs, with their event patterns. */
  get forwardTargets(): string[] {
    return this.forwarder?.describe() ?? [];
  }

  /** The HTTP source's port once started. */
  get port(): number | null {
    return this.http.ready?.port ?? null;
  }

  get storeFile(): string | null {
    return this.recorder.file;
  }

  private fact(fact: ListenerFact): void {
    this.emit('fact', fact);
  }

  private describe(incoming: IncomingDelivery, parsed: ParsedBody): Delivery {
    const delivery = describeDelivery({
      id: newDeliveryId(),
      receivedAt: new Date().toISOString(),
      method: incoming.method,
      path: incoming.path,
      headers: incoming.headers,
      body: incoming.body,
      size: incoming.size,
      publicKey: this.publicKey,
      livePublicKey: this.options.livePublicKey,
      expectedScheme: this.options.scheme,
      parsed,
    });
    delivery.duplicate = this.tokens.seen(delivery.verification.token);
    if (incoming.relayed) delivery.relayed = incoming.relayed;
    return delivery;
  }

  /** Takes one delivery from a source: recorded before `respond` is called, whatever the answer. */
  async receive(incoming: IncomingDelivery, respond: (answer: DeliveryAnswer) => void): Promise<Delivery> {
    this.inFlight++;
    try {
      // What the body is decides where it goes; the app gets it at once and works on it while the
      // signature is checked and the delivery recorded.
      const { body, headers, path } = incoming;
      const parsing = this.parser.parse(body, headers);
      const parsed = parsing instanceof Promise ? await parsing : parsing;
      const filter = this.options.filter;
      const ignored = parsed.jsonError === null && body !== null && filter ? !filter(parsed.classification.event) : false;
      const targets = this.forwarder && !ignored ? this.forwarder.matching(parsed.classification.event) : [];
      // once stopping, a delivery that still arrives (on a kept-alive connection) is recorded, not forwarded
      const late = this.closing !== null;
      const forwarding =
        !late && body !== null && parsed.jsonError === null && targets.length > 0
          ? this.forwarder!.forwardEach({ path, headers, classification: parsed.classification }, body, this.abort.signal)
          : null;
      if (forwarding) {
        // its failure is taken up below, after the delivery is recorded
        forwarding.first.catch(() => undefined);
        forwarding.all.catch(() => undefined);
        // node writes the request on its next tick: let it leave before the work below
        await new Promise<void>((resolve) => process.nextTick(resolve));
      }

      const delivery = this.describe(incoming, parsed);
      delivery.ignored = ignored;
      const unforwarded = late && targets.length > 0 && !delivery.tooLarge && !delivery.jsonError;
      if (unforwarded) delivery.notes.push('arrived while idpass listen was stopping: recorded, not forwarded, answered 503');
      this.count++;
      // Recorded before anything is answered: a delivery Identitypass will not resend is never lost.
      delivery.stored = await this.recorder.record(encodeDeliveryLine(delivery, targets[0] ?? null, targets));
      incoming.onRecorded?.(delivery);
      this.fact({ type: 'received', delivery });
      delivery.answerStatus = await this.answer(delivery, forwarding, respond, unforwarded);
      this.fact({ type: 'completed', delivery });
      return delivery;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  /** Answers a recorded delivery: 413, 400, the app's own answer, or that it was received. */
  private async answer(
    delivery: Delivery,
    forwarding: ReturnType<AppForward['forwardEach']> | null,
    respond: (answer: DeliveryAnswer) => void,
    unforwarded: boolean,
  ): Promise<number> {
    if (unforwarded) {
      // the sender is told to come back: a retried kind will, and the bytes are in the store for a resend
      respond(jsonAnswer(503, { error: 'idpass listen is stopping: the delivery was recorded; send it again' }, { connection: 'close' }));
      // what the sender got, in the store beside the delivery
      await this.recorder.record(encodeOutcome(delivery.id, 503, null, new Date()));
      return 503;
    }
    if (delivery.tooLarge) {
      respond(jsonAnswer(413, { error: `the body is larger than the ${this.maxBodyBytes} byte limit` }, { connection: 'close' }));
      return 413;
    }
    if (delivery.jsonError) {
      respond(jsonAnswer(400, { error: delivery.jsonError }));
      return 400;
    }
    if (!forwarding) {
      respond({ status: 200, body: delivery.ignored ? IGNORED : RECEIVED, headers: JSON_TYPE });
      return 200;
    }
    // a forged or legacy-scheme delivery the app refused was answered as it should be
    const forward = judgeRefusal(await forwarding.first, delivery.verification);
    delivery.forward = forward;
    // the delivery is on disk already: the first target's answer goes back at once, whatever the
    // other targets are doing; the outcome is recorded once every target answered (close() waits)
    respond({ status: forward.status, body: forward.body, headers: forward.contentType ? { 'content-type': forward.contentType } : {} });
    const others = (await forwarding.all).slice(1).map((f) => judgeRefusal(f, delivery.verification));
    delivery.otherForwards = others;
    await this.recorder.record(encodeOutcome(delivery.id, forward.status, forward, new Date(), others));
    return forward.status;
  }

  /** Sends a delivery's original bytes and headers to the app again; the result is a new delivery marked as a replay. */
  async replay(original: Delivery): Promise<Delivery> {
    if (!this.forwarder) throw new ListenError('no-forward-target', 'nothing to replay to: the listener forwards to no app');
    return this.forwarder.replay(original, this.abort.signal);
  }

  /** Another source of deliveries (the relay client): started with the listener, stopped before it drains. */
  addSource(source: DeliverySource): void {
    this.sources.push(source);
    if (this.started) void source.start(this);
  }

  /** Prepares the store (seeding duplicate detection from it), binds the HTTP source and starts every other source. */
  async start({ port = DEFAULT_PORT, host = DEFAULT_HOST }: { port?: number; host?: string } = {}): Promise<HttpReady> {
    await this.recorder.open(this.tokens);
    this.http.at = { port, host };
    await this.http.start(this);
    this.started = true;
    for (const source of this.sources) await source.start(this);
    const ready = this.http.ready!;
    this.fact({ type: 'ready', ...ready });
    return ready;
  }

  /**
   * Stops every source, lets deliveries in flight finish — their forwards get up to the forward
   * timeout (plus a second), so the sender gets the app's own answer — then flushes the store.
   */
  close(graceMs = (this.forwardTimeoutMs ?? 10 * 60_000) + 1_000): Promise<void> {
    this.closing ??= (async () => {
      const sources = [this.http, ...this.sources];
      await Promise.all(sources.map((source) => source.stop()));
      if (this.inFlight > 0) {
        this.fact({ type: 'draining', inFlight: this.inFlight, graceMs });
        await Promise.race([
          new Promise<void>((resolve) => (this.drained = resolve)),
          new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      this.abort.abort();
      // the cut forwards answer 502 on their next turn: let those answers reach their senders (as
      // recorded) before the connections close
      if (this.inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (this.drained = resolve)),
          new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
        ]);
      }
      await Promise.all(sources.map((source) => source.close()));
      this.forwarder?.close();
      await this.parser.close();
      await this.recorder.close();
      this.fact({ type: 'closed' });
    })();
    return this.closing;
  }
}

/** Builds a listener; call `start()` to bind it. */
export function createListener(options: ListenerOptions = {}): Listener {
  return new Listener(options);
}

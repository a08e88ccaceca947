import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Classification } from './classify.js';
import { describeDelivery } from './describe.js';
import { DEFAULT_HOST } from './defaults.js';
import { Forwarder, type ForwardResult } from './forwarder.js';
import { BUILTIN_TEST_KEY, constantTimeEqual, type Scheme, type VerifyResult } from './signing.js';
import { DeliveryStore, newDeliveryId, type StoredDelivery, type StoredOutcome } from './store.js';
import { PROBE_HEADER, PROBE_PATH } from './tunnel.js';

/** A delivery as the listener saw it; the one shape every renderer consumes. */
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
  jsonError: string | null;
  tooLarge: boolean;
  verification: VerifyResult;
  /** Set when the delivery used another scheme than the one configured. */
  schemeNote: string | null;
  duplicate: boolean;
  classification: Classification;
  /** Dropped by the event filter: recorded, not forwarded, not shown. */
  ignored: boolean;
  /** Things about the request itself worth knowing (content type, method…). */
  notes: string[];
  stored: boolean;
  forward: ForwardResult | null;
  /** The status the sender got. */
  answerStatus: number | null;
  /** Set on a replay: the id of the delivery whose bytes were sent again. */
  replayOf?: string;
}

export type ListenerFact =
  | { type: 'ready'; url: string; host: string; port: number }
  | { type: 'received'; delivery: Delivery }
  | { type: 'completed'; delivery: Delivery }
  | { type: 'store-error'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'closed' };

export interface ListenerOptions {
  /** Key deliveries are verified with. */
  publicKey?: string;
  /** The scheme the user expects; deliveries in another one are noted, not refused. */
  scheme?: Scheme;
  forwardTo?: URL | string | null;
  forwardTimeoutMs?: number;
  /** Bigger bodies get 413 (still recorded, without the body). */
  maxBodyBytes?: number;
  /** Where deliveries are recorded; null records nothing. */
  store?: DeliveryStore | null;
  /** Which event names to forward and show; all when omitted. */
  filter?: (event: string | null) => boolean;
  /** Answers GET /.idpass/probe/<nonce> so a tunnel supervisor can check the path end to end. */
  probeSecret?: string;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

type Events = { fact: [ListenerFact] };

const MAX_TOKENS = 50_000;

/** Reads the raw body once, verifies, classifies, records, forwards and answers. Emits facts, prints nothing. */
export class Listener extends EventEmitter<Events> {
  readonly app: express.Express;
  readonly publicKey: string;
  private readonly forwarder: Forwarder | null;
  private readonly store: DeliveryStore | null;
  private storeBroken = false;
  private readonly tokens = new Set<string>();
  private server: Server | null = null;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private readonly abort = new AbortController();
  count = 0;

  constructor(private readonly options: ListenerOptions = {}) {
    super();
    this.publicKey = options.publicKey ?? BUILTIN_TEST_KEY;
    const forwardTo = options.forwardTo ? new URL(options.forwardTo) : null;
    this.forwarder = forwardTo ? new Forwarder({ target: forwardTo, timeoutMs: options.forwardTimeoutMs ?? 10_000 }) : null;
    this.store = options.store ?? null;
    this.app = this.buildApp();
  }

  get forwardTarget(): URL | null {
    return this.forwarder?.target ?? null;
  }

  get storeFile(): string | null {
    return this.store && !this.storeBroken ? this.store.file : null;
  }

  private emitFact(fact: ListenerFact): void {
    this.emit('fact', fact);
  }

  private buildApp(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(this.probe);
    app.use(
      express.raw({
        type: () => true,
        limit: this.options.maxBodyBytes ?? 10 * 1024 * 1024,
        // The signature covers the bytes on the wire: never inflate them.
        inflate: false,
      }),
    );
    app.use(this.handle);
    app.use(this.handleError);
    return app;
  }

  private readonly probe = (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith(PROBE_PATH)) return next();
    const nonce = req.path.slice(PROBE_PATH.length);
    if (!this.options.probeSecret || !constantTimeEqual(req.get(PROBE_HEADER) ?? '', this.options.probeSecret)) return next();
    res.status(200).json({ probe: nonce });
  };

  /** Records the token and tells whether it was seen before. */
  private seenToken(token: string | null): boolean {
    if (!token) return false;
    if (this.tokens.has(token)) return true;
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.values().next().value!);
    this.tokens.add(token);
    return false;
  }

  private headerPairs(req: Request): [string, string][] {
    const pairs: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    return pairs;
  }

  private describe(req: Request, body: Buffer | null): Delivery {
    const delivery = describeDelivery({
      id: newDeliveryId(),
      receivedAt: new Date().toISOString(),
      method: req.method,
      path: req.originalUrl,
      headers: this.headerPairs(req),
      body,
      size: Number(req.get('content-length') ?? 0),
      publicKey: this.publicKey,
      expectedScheme: this.options.scheme,
    });
    delivery.duplicate = this.seenToken(delivery.verification.token);
    const filter = this.options.filter;
    delivery.ignored = delivery.jsonError === null && !delivery.tooLarge && filter ? !filter(delivery.classification.event) : false;
    return delivery;
  }

  private toStored(d: Delivery): StoredDelivery {
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
      verification: {
        valid: d.verification.valid,
        reason: d.verification.reason,
        scheme: d.verification.scheme,
        message: d.verification.message,
        weak: d.verification.weak,
        token: d.verification.token,
      },
      duplicate: d.duplicate,
      jsonError: d.jsonError,
      ignored: d.ignored,
      forwardTo: this.forwarder?.target.href ?? null,
    };
  }

  private async record(...lines: (StoredDelivery | StoredOutcome)[]): Promise<boolean> {
    if (!this.store || this.storeBroken) return false;
    try {
      await this.store.append(...lines);
      return true;
    } catch (error) {
      this.storeBroken = true;
      this.emitFact({
        type: 'store-error',
        message: `cannot write to the store (${this.store.file}): ${(error as Error).message}; deliveries are still answered but no longer recorded`,
      });
      return false;
    }
  }

  private async receive(req: Request, res: Response, body: Buffer | null, tooLarge: boolean): Promise<void> {
    this.inFlight++;
    try {
      const delivery = this.describe(req, tooLarge ? null : body);
      this.count++;
      // Recorded before anything is answered: a delivery Identitypass will not resend is never lost.
      delivery.stored = await this.record(this.toStored(delivery));
      this.emitFact({ type: 'received', delivery });

      let status: number;
      if (tooLarge) {
        status = 413;
        res.set('connection', 'close').status(status).json({ error: `the body is larger than the ${this.options.maxBodyBytes ?? 10 * 1024 * 1024} byte limit (--max-body)` });
      } else if (delivery.jsonError) {
        status = 400;
        res.status(status).json({ error: delivery.jsonError });
      } else if (this.forwarder && !delivery.ignored) {
        const forward = await this.forwarder.forward(delivery.path, delivery.headers, delivery.body ?? Buffer.alloc(0), this.abort.signal);
        delivery.forward = forward;
        status = forward.status;
        await this.record({ kind: 'outcome', id: delivery.id, at: new Date().toISOString(), answerStatus: status, forward: storedForward(forward) });
        if (forward.contentType) res.set('content-type', forward.contentType);
        res.status(status).end(forward.body);
      } else {
        status = 200;
        res.status(status).json(delivery.ignored ? { received: true, ignored: true } : { received: true });
      }
      delivery.answerStatus = status;
      this.emitFact({ type: 'completed', delivery });
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  private readonly handle = async (req: Request, res: Response) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.status(200).json({ idpass: 'listening', deliveries: this.count, send: 'POST Identitypass deliveries to any path here' });
      return;
    }
    if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') {
      res.set('allow', 'POST, GET').status(405).json({ error: `${req.method} is not accepted: send deliveries with POST` });
      return;
    }
    await this.receive(req, res, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), false);
  };

  private readonly handleError = async (error: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      await this.receive(req, res, null, true);
      return;
    }
    if (error.type === 'request.aborted' || req.socket.destroyed) {
      this.emitFact({ type: 'warning', message: `a ${req.method} ${req.originalUrl} was abandoned by the client before its body arrived; nothing was recorded` });
      return;
    }
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) this.emitFact({ type: 'warning', message: `internal error on ${req.method} ${req.originalUrl}: ${error.message}` });
    if (!res.headersSent) res.status(status).json({ error: error.message ?? 'bad request' });
  };

  /**
   * Sends a delivery's original bytes and headers to the forward target again and returns the
   * result as a new delivery marked as a replay. Replays are not recorded: they were not received.
   */
  async replay(original: Delivery): Promise<Delivery> {
    if (!this.forwarder) throw new Error('nothing to replay to: start idpass listen with --forward-to <your app>');
    if (!original.body) throw new Error('that delivery was refused unread (too large): there are no bytes to replay');
    const forward = await this.forwarder.forward(original.path, original.headers, original.body, this.abort.signal);
    return { ...original, id: newDeliveryId(), receivedAt: new Date().toISOString(), replayOf: original.id, duplicate: false, stored: false, forward, answerStatus: forward.status };
  }

  /** Prepares the store (seeding duplicate detection from it) and starts listening. */
  async start({ port = 4567, host = DEFAULT_HOST }: { port?: number; host?: string } = {}): Promise<{ url: string; host: string; port: number }> {
    await this.openStore();
    const server = this.app.listen(port, host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') reject(new ListenError(`port ${port} on ${host} is in use`, 'port-in-use'));
        else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new ListenError(`cannot listen on ${host}: no such local address`, 'bad-host'));
        else if (error.code === 'EACCES') reject(new ListenError(`not allowed to listen on port ${port}`, 'port-denied'));
        else reject(error);
      });
    });
    // A slow or stalled client cannot hold the listener.
    server.headersTimeout = 15_000;
    server.requestTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 200;
    this.server = server;
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const ready = { url: `http://${shownHost}:${address.port}`, host: address.address, port: address.port };
    this.emitFact({ type: 'ready', ...ready });
    return ready;
  }

  private async openStore(): Promise<void> {
    if (!this.store) return;
    try {
      const { records, skipped } = await DeliveryStore.load(this.store.dir);
      for (const record of records.slice(-MAX_TOKENS)) {
        const token = (record.verification as { token?: string } | undefined)?.token;
        if (token) this.tokens.add(token);
      }
      if (skipped.length) {
        this.emitFact({
          type: 'warning',
          message: `the store ${this.store.file} has ${skipped.length} unreadable line${skipped.length > 1 ? 's' : ''} (line ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}); skipped`,
        });
      }
      await this.store.open();
    } catch (error) {
      this.storeBroken = true;
      this.emitFact({
        type: 'store-error',
        message: `cannot use the store at ${this.store.dir}: ${(error as Error).message}; deliveries will be answered and shown but not recorded (set IDPASS_HOME or pass --no-store)`,
      });
    }
  }

  /** Stops accepting, lets deliveries in flight finish (a few seconds at most), flushes the store. */
  close(graceMs = 5_000): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      if (server) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (this.inFlight > 0) {
          await Promise.race([new Promise<void>((resolve) => (this.drained = resolve)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
        }
        this.abort.abort();
        server.closeAllConnections();
        await closed;
      }
      this.forwarder?.close();
      await this.store?.close().catch(() => undefined);
      this.emitFact({ type: 'closed' });
    })();
    return this.closing;
  }
}

function storedForward(forward: ForwardResult) {
  return {
    url: forward.url,
    status: forward.status,
    answered: forward.answered,
    ms: forward.ms,
    preview: forward.preview,
    error: forward.error,
    warning: forward.warning,
  };
}

/** Builds a listener; call `start()` to bind it. */
export function createListener(options: ListenerOptions = {}): Listener {
  return new Listener(options);
}

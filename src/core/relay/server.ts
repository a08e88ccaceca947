/**
 * `idpass relay serve`: the HTTP surface of SPEC.md's relay. Deliveries come in at
 * /in/<channel>, are committed (method, path, query, every header, the exact bytes, the receive
 * time, a per-channel sequence) and only then answered 200; a client streams them from
 * /out/<channel> and acks what it recorded. Prints nothing: it emits facts.
 */

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerPairs, readBody } from '../receive/app.js';
import { adminRequest, metricsText, type Counters } from './admin.js';
import { send, smallJson } from './http.js';
import type { RelayFact } from './facts.js';

export type { RelayFact } from './facts.js';
import { bearerMatches, isChannelId, isClientName } from './secrets.js';
import type { ChannelRecord, RelayStorage, Retention } from './storage.js';
import { parseRelayRule, RelayFilterError, type RelayRule } from './filter.js';
import { sharedReads, streamChannel } from './stream.js';

/** How long a client waits before coming back after the relay said it is shutting down. */
const CLOSING_RETRY_MS = 1_000;

export interface RelayServerOptions {
  storage: RelayStorage;
  /** SHA-256 of the admin token. */
  adminTokenHash: string;
  maxBodyBytes: number;
  retain: { ageMs: number; maxBytes: number };
  /** The address the world sees (printed channel URLs); the bound URL when omitted. */
  publicUrl?: string;
  heartbeatMs?: number;
  /** How often time-based retention runs. */
  pruneEveryMs?: number;
}

export class RelayServer extends EventEmitter<{ fact: [RelayFact] }> {
  private server: Server | null = null;
  private readonly counters = new Map<string, Counters>();
  private errors = 0;
  private pruner: NodeJS.Timeout | null = null;
  private stopping = false;
  private stop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));
  url = '';
  publicUrl = '';
  private readonly read: ReturnType<typeof sharedReads>;
  private readonly known = new Map<string, { channel: ChannelRecord | null; at: number }>();

  constructor(private readonly options: RelayServerOptions) {
    super();
    this.read = sharedReads(options.storage);
  }

  private fact(fact: RelayFact): void {
    this.emit('fact', fact);
  }

  private count(channel: string): Counters {
    let c = this.counters.get(channel);
    if (!c) this.counters.set(channel, (c = { stored: 0, streamed: 0, streamedBytes: 0, storedBytes: 0, errors: 0 }));
    return c;
  }

  private get retention(): Retention {
    return { olderThan: new Date(Date.now() - this.options.retain.ageMs), maxBytes: this.options.retain.maxBytes };
  }

  async start(port: number, host: string): Promise<{ url: string; port: number }> {
    // a request (headers and body) must arrive within two minutes: a stream's response is not bound by it
    const server = createServer({ requestTimeout: 120_000, headersTimeout: 60_000 }, (req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.errors++;
        send(res, 500, { error: `the relay failed: ${(error as Error).message}` });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${shownHost}:${address.port}`;
    this.publicUrl = (this.options.publicUrl ?? this.url).replace(/\/+$/, '');
    this.fact({ type: 'ready', url: this.url, port: address.port, host, publicUrl: this.publicUrl });
    const prune = () => void this.pruneAll();
    prune();
    this.pruner = setInterval(prune, this.options.pruneEveryMs ?? 60_000);
    this.pruner.unref();
    return { url: this.url, port: address.port };
  }

  private async pruneAll(): Promise<void> {
    try {
      for (const channel of await this.options.storage.channels()) await this.pruneOne(channel.id);
    } catch {
      // the database is away: the next round tries again
    }
  }

  private async pruneOne(channel: string): Promise<void> {
    const dropped = await this.options.storage.prune(channel, this.retention);
    if (dropped > 0) this.fact({ type: 'pruned', channel, dropped });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://relay');
    const parts = url.pathname.split('/');
    const [, first, id] = parts;
    if (first === 'in' && id) return this.ingest(req, res, id, url);
    if (first === 'out' && id && parts.length === 3 && req.method === 'GET') return this.stream(req, res, id, url);
    if (first === 'out' && id && parts[3] === 'ack' && parts.length === 4 && req.method === 'POST') return this.ack(req, res, id);
    if (url.pathname === '/healthz' && req.method === 'GET') {
      const ok = !this.stopping && (await this.options.storage.healthy());
      return send(res, ok ? 200 : 503, { ok });
    }
    if (url.pathname === '/metrics' && req.method === 'GET') return this.metrics(res);
    if (first === 'admin' && id === 'channels') return this.admin(req, res, parts[3]);
    req.resume();
    send(res, 404, { error: 'not found' });
  }

  private async ingest(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method ?? '')) {
      req.resume();
      return send(res, 405, { error: 'deliveries are POSTed (PUT and PATCH are kept too)' }, { allow: 'POST, PUT, PATCH' });
    }
    if (this.stopping) {
      req.resume();
      return send(res, 503, { error: 'the relay is restarting: send it again' }, { 'retry-after': '5', connection: 'close' });
    }
    const channel = isChannelId(id) ? await this.knownChannel(id) : null;
    if (channel === undefined) {
      req.resume();
      return send(
        res,
        503,
        { error: 'the relay cannot reach its database: the delivery was not kept, send it again' },
        { 'retry-after': '5' },
      );
    }
    if (channel === null) {
      req.resume();
      return send(res, 404, { error: 'no such channel' });
    }
    const read = await readBody(req, this.options.maxBodyBytes);
    if (read.abandoned) return void res.destroy();
    if (read.body === null) {
      this.fact({ type: 'too-large', channel: id, size: read.size });
      return send(
        res,
        413,
        { error: `the body is larger than the relay's ${this.options.maxBodyBytes} byte limit` },
        { connection: 'close' },
      );
    }
    const rest = url.pathname.slice(`/in/${id}`.length) || '/';
    try {
      const { seq, bytes } = await this.options.storage.store(id, {
        receivedAt: new Date().toISOString(),
        method: req.method!,
        path: rest.startsWith('/') ? rest : `/${rest}`,
        query: url.search.replace(/^\?/, ''),
        headers: headerPairs(req),
        body: read.body,
      });
      const c = this.count(id);
      c.stored++;
      c.storedBytes += read.body.length;
      send(res, 200, { received: true });
      this.fact({ type: 'stored', channel: id, seq, size: read.body.length });
      if (bytes > this.options.retain.maxBytes) await this.pruneOne(id).catch(() => undefined);
    } catch (error) {
      this.known.delete(id);
      // deleted since it was looked up: that is a 404, not a failure to store
      if ((await this.options.storage.channel(id).catch(() => undefined)) === null) return send(res, 404, { error: 'no such channel' });
      this.count(id).errors++;
      this.errors++;
      // never a 200 for what is not on disk: Prembly's retried kinds come back, the others the sender can resend
      send(res, 503, { error: 'the relay could not store the delivery: it was not kept, send it again' }, { 'retry-after': '5' });
      this.fact({ type: 'store-failed', channel: id, cause: (error as Error).message });
    }
  }

  /**
   * Whether a channel exists, for ingest: remembered for a few seconds, so a burst does not ask the
   * database once per delivery (a channel deleted meanwhile gets 503 from its failed insert, then 404).
   * undefined when the database cannot be asked.
   */
  private async knownChannel(id: string): Promise<ChannelRecord | null | undefined> {
    const known = this.known.get(id);
    if (known && Date.now() - known.at < 5_000) return known.channel;
    const channel = await this.options.storage.channel(id).catch(() => undefined);
    if (channel === undefined) return undefined;
    if (this.known.size > 10_000) this.known.clear();
    // only a channel that exists is remembered: one created a moment after a 404 takes deliveries at once
    if (channel) this.known.set(id, { channel, at: Date.now() });
    return channel;
  }

  /** The channel when the request carries its token; else the answer was sent and null returned. */
  private async authorised(req: IncomingMessage, res: ServerResponse, id: string) {
    const channel = isChannelId(id) ? await this.options.storage.channel(id) : null;
    if (!channel) {
      send(res, 404, { error: 'no such channel' });
      return null;
    }
    if (!bearerMatches(req.headers.authorization, channel.tokenHash)) {
      send(res, 401, { error: 'a valid channel token is needed (Authorization: Bearer <token>)' }, { 'www-authenticate': 'Bearer' });
      return null;
    }
    return channel;
  }

  private async stream(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    const channel = await this.authorised(req, res, id);
    if (!channel) return;
    const client = url.searchParams.get('client') ?? undefined;
    if (client !== undefined && !isClientName(client))
      return send(res, 400, { error: 'client: use 1 to 64 letters, digits, dots, dashes or underscores' });
    // no position given: a named client resumes from its own cursor on the relay, others from the start
    const given = req.headers['last-event-id'] ?? url.searchParams.get('after') ?? (client ? null : '0');
    const after =
      given === null
        ? await this.options.storage.clientCursor(id, client!)
        : /^\d{1,15}$/.test(String(given).trim())
          ? Number(String(given).trim())
          : NaN;
    if (!Number.isSafeInteger(after)) return send(res, 400, { error: 'Last-Event-ID / after must be a sequence number' });
    let rules: RelayRule[];
    try {
      rules = url.searchParams.getAll('filter').slice(0, 20).map(parseRelayRule);
    } catch (error) {
      if (error instanceof RelayFilterError) return send(res, 400, { error: `filter: ${error.message}` });
      throw error;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(
      `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ channel: id, lastSeq: channel.lastSeq ?? 0, after, ...(client ? { client } : {}) })}\n\n`,
    );
    this.fact({ type: 'client-connected', channel: id, after, ...(client ? { client } : {}) });
    const c = this.count(id);
    await streamChannel(
      res,
      {
        storage: this.options.storage,
        read: this.read,
        rules,
        channelId: id,
        after,
        heartbeatMs: this.options.heartbeatMs ?? 15_000,
        sent: (bytes) => {
          c.streamed++;
          c.streamedBytes += bytes;
        },
      },
      this.stopped,
    );
    this.fact({ type: 'client-left', channel: id });
    // shutting down: the client is told to come back (to this relay restarted, or another on the database)
    if (this.stopping && res.writable) res.write(`event: closing\ndata: ${JSON.stringify({ retryMs: CLOSING_RETRY_MS })}\n\n`);
    res.end();
  }

  private async ack(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const channel = await this.authorised(req, res, id);
    if (!channel) return void req.resume();
    const body = await smallJson(req);
    const seq = body?.seq;
    const client = body?.client;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || (client !== undefined && !isClientName(client)))
      return send(res, 400, { error: 'send {"seq": <the newest sequence recorded>, "client": "<its name, if any>"}' });
    await this.options.storage.ack(id, seq, client);
    send(res, 200, { acked: seq });
  }

  private async admin(req: IncomingMessage, res: ServerResponse, id: string | undefined): Promise<void> {
    return adminRequest(req, res, id, {
      storage: this.options.storage,
      adminTokenHash: this.options.adminTokenHash,
      publicUrl: this.publicUrl,
      fact: (f) => this.fact(f),
    });
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const channels = await this.options.storage.channels().catch(() => []);
    const text = metricsText(channels, (id) => this.count(id), this.errors);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Stops taking deliveries, ends the streams (clients reconnect after the retry hint), closes the server. */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.pruner) clearInterval(this.pruner);
    this.stop();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    }
    this.fact({ type: 'closed' });
  }
}

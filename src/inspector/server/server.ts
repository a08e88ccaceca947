/**
 * The web inspector: one more renderer of listen's facts and one more reader of the store, served
 * on its own port, bound to loopback only (never the tunnel's port, never the relay). The page and
 * its JSON API are guarded by the gate (token, Host, Origin); the live list is an SSE stream of
 * summaries, sent in batches so a burst of deliveries costs the listener little.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenSessionFact } from '../../core/receive/facts.js';
import { encodeDelivery, encodeOutcome, type DeliveryRecord } from '../../core/store/codec.js';
import { STORE_FILE } from '../../core/store/location.js';
import { handleApi } from './api.js';
import { BodyViews } from './body-view.js';
import { Catalog, type Summary } from './catalog.js';
import type { InspectorContext, InspectorOptions } from './context.js';
import { checkRequest, COOKIE, refuse, SECURITY_HEADERS } from './gate.js';
import { serveAsset, servePage } from './assets.js';
import { readRecord, scanStore } from './store-reader.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export type { InspectorOptions };

/** Past this many bytes unread by a page, its stream is ended (the page reconnects and reloads). */
const MAX_UNSENT = 2 * 1024 * 1024;

export class Inspector implements InspectorContext {
  readonly catalog = new Catalog();
  readonly views: BodyViews;
  readonly token = randomBytes(24).toString('base64url');
  private server: Server | null = null;
  private hosts: string[] = [];
  private readonly streams = new Set<ServerResponse>();
  private pending = new Map<string, Summary>();
  private flushTimer: NodeJS.Timeout | null = null;
  private followTimer: NodeJS.Timeout | null = null;
  private scanned: { next: number; ino: number } | null = null;
  private loading = false;
  url = '';

  constructor(readonly options: InspectorOptions) {
    this.views = new BodyViews(options.showPii);
    this.catalog.onChange = (summary) => {
      if (this.loading || this.streams.size === 0) return;
      this.pending.set(summary.id, summary);
      this.flushTimer ??= setTimeout(() => this.flush(), 100);
    };
  }

  /** Binds to loopback (the port given, or a free one when it is taken and `fallback`); reads the store. */
  async start(host: string, port: number, fallback: boolean): Promise<{ url: string; port: number; fellBack: boolean }> {
    const server = createServer(
      { requestTimeout: 60_000 },
      (req, res) => void this.route(req, res).catch(() => refuse(res, 500, 'internal error')),
    );
    this.server = server;
    const bind = (p: number) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    let fellBack = false;
    try {
      await bind(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !fallback) throw error;
      fellBack = true;
      await bind(0);
    }
    const bound = (server.address() as AddressInfo).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    this.hosts = [`${shown}:${bound}`];
    this.url = `http://${shown}:${bound}/?token=${this.token}`;
    await this.load();
    if (this.options.follow) this.followTimer = setInterval(() => void this.load(), 1_000).unref();
    return { url: this.url, port: bound, fellBack };
  }

  /** Reads what the store gained since the last read (all of it when the file was replaced). */
  private async load(): Promise<void> {
    const dir = this.options.storeDir;
    if (!dir || this.loading) return;
    const info = await stat(join(dir, STORE_FILE)).catch(() => null);
    if (!info) return;
    if (this.scanned && (info.ino !== this.scanned.ino || info.size < this.scanned.next)) {
      this.catalog.clear();
      this.scanned = null;
    }
    if (this.scanned && info.size === this.scanned.next) return;
    // the first read is not streamed to pages one by one: they ask for the list
    this.loading = this.scanned === null;
    try {
      const next = await scanStore(dir, this.scanned?.next ?? 0, {
        delivery: (line, place) => this.catalog.add({ ...line, body: null }, { place }),
        outcome: (line) => this.catalog.complete(line),
      });
      if (next) this.scanned = next;
    } finally {
      if (this.loading) this.broadcast('reload', {});
      this.loading = false;
    }
  }

  /** listen's facts: each delivery is listed as it arrives and updated once answered. */
  fact(fact: ListenSessionFact): void {
    if (fact.type !== 'received' && fact.type !== 'completed') return;
    const d = fact.delivery;
    const targets = d.forward ? [d.forward.url, ...d.otherForwards.map((f) => f.url)] : [];
    // the body is held only when the store did not keep it
    const keepBody = fact.type === 'completed' && !d.stored;
    const line = encodeDelivery(keepBody ? d : { ...d, body: null }, d.forward?.url ?? null, targets);
    const outcome =
      fact.type === 'completed' && d.answerStatus !== null
        ? encodeOutcome(d.id, d.answerStatus, d.forward, new Date(), d.otherForwards)
        : undefined;
    this.catalog.add(line, { outcome, keepBody });
  }

  /** A delivery whole: held in memory, or read back from the store. */
  async record(id: string): Promise<DeliveryRecord | null> {
    const held = this.catalog.held(id);
    if (held?.body) return held;
    const summary = this.catalog.summary(id);
    const dir = this.options.storeDir;
    if (!summary || !dir) return held;
    const place = this.catalog.place(id) ?? this.options.placeOf?.(id) ?? null;
    const record = await readRecord(dir, id, place, this.catalog.outcome(id));
    return record ?? held;
  }

  private flush(): void {
    this.flushTimer = null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length) this.broadcast('deliveries', batch);
  }

  private broadcast(event: string, data: unknown): void {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.streams) {
      if (res.writableLength > MAX_UNSENT) res.end();
      else res.write(text);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://inspector');
    const gate = checkRequest(req, url, this.token, this.hosts);
    if (!gate.ok) {
      req.resume();
      return refuse(res, gate.status, gate.message);
    }
    if (gate.via === 'query' && url.pathname === '/' && req.method === 'GET') {
      // the token moves into a cookie and out of the address bar (and the browser's history)
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: '/',
        'set-cookie': `${COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return void res.end();
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    if (url.pathname === '/' && req.method === 'GET') return servePage(res);
    if (url.pathname.startsWith('/assets/') && req.method === 'GET') return serveAsset(res, url.pathname.slice('/assets/'.length));
    if (url.pathname === '/api/stream' && req.method === 'GET') return this.stream(res);
    if (url.pathname.startsWith('/api/')) return handleApi(this, req, res, url);
    req.resume();
    refuse(res, 404, 'not found');
  }

  private stream(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'x-accel-buffering': 'no' });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ total: this.catalog.size })}\n\n`);
    this.streams.add(res);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000).unref();
    res.on('close', () => {
      clearInterval(beat);
      this.streams.delete(res);
    });
  }

  async close(): Promise<void> {
    if (this.followTimer) clearInterval(this.followTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const res of this.streams) res.end();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

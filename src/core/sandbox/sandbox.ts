/** The sandbox server: the verification API, the admin API under /__idpass/, and the dispatcher behind both. */

import { randomUUID } from 'node:crypto';
import { constantTimeEqual } from '../common/compare.js';
import { DEFAULT_HOST, DEFAULT_SANDBOX_PORT, SANDBOX_PENDING_DELAY_MS, SANDBOX_SLOW_DELAY_MS } from '../common/defaults.js';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type Response } from 'express';
import { CoreError } from '../common/errors.js';
import { loadFixture } from '../trigger/fixtures.js';
import { setPath } from '../trigger/body-edits.js';
import { badNumber, failureBody, findRoute, matchBody, missingField, numberOf } from './api.js';
import { echoRequest, errorBody, invalidData } from './envelope.js';
import { Dispatcher, type DispatchFact, type SandboxDelivery } from './dispatcher.js';
import { adminRouter } from './admin.js';
import { lookupRoutes, type Verification } from './lookups.js';
import { isMagic, outcomeFor } from './identities.js';

export interface SandboxOptions {
  publicKey: string;
  livePublicKey: string;
  /** Where webhooks go; also settable at run time (PUT /__idpass/webhook-url). */
  webhookUrl?: URL | string | null;
  /** When given, x-api-key must equal it; otherwise any key-shaped value is accepted. */
  apiKey?: string;
  /** How long after a 02/03 answer the result follows by webhook (scaled by timeScale). */
  pendingDelayMs?: number;
  /** How long the slow magic number takes to answer (real time). */
  slowDelayMs?: number;
  /** Compresses every wait: 60 turns an hour into a minute. */
  timeScale?: number;
  /** How long a webhook answer may take (Prembly waits 10 s). */
  webhookTimeoutMs?: number;
  /** Past this many calls per second per API key, 429 with Retry-After (Prembly documents no numbers: off by default). */
  rateLimitPerSecond?: number;
}

export type SandboxFact =
  | { type: 'api'; method: string; path: string; status: number; code: string | null; reference: string | null; outcome: string | null }
  | DispatchFact;

export class SandboxError extends CoreError<'bad-webhook-url' | 'port-in-use' | 'bind-failed'> {}

// Prembly's own test keys come in more than one shape, colon-separated ones among them
const KEY_SHAPE = /^[A-Za-z0-9_.:-]{8,200}$/;
/** What an identity number may look like: letters, digits and dashes, at most 32 of them. */
const ID_NUMBER = /^\+?[A-Za-z0-9-]{1,32}$/;

export class Sandbox extends EventEmitter<{ fact: [SandboxFact] }> {
  readonly dispatcher: Dispatcher;
  private server: http.Server | null = null;
  private target: URL | null;
  private readonly verifications = new Map<string, Verification>();
  private readonly sessions = new Map<string, Record<string, unknown>>();

  constructor(readonly options: SandboxOptions) {
    super();
    this.target = null;
    if (options.webhookUrl) this.setWebhookUrl(options.webhookUrl);
    this.dispatcher = new Dispatcher({
      publicKey: options.publicKey,
      livePublicKey: options.livePublicKey,
      timeScale: options.timeScale ?? 1,
      timeoutMs: options.webhookTimeoutMs,
      webhookUrl: () => this.target,
    });
    this.dispatcher.on('fact', (fact) => this.emit('fact', fact));
  }

  get url(): string | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : null;
  }

  /** Where webhooks go now, if anywhere. */
  get webhookUrl(): URL | null {
    return this.target;
  }

  setWebhookUrl(url: URL | string | null): void {
    if (url === null) {
      this.target = null;
      return;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SandboxError('bad-webhook-url', `not a URL: ${String(url)}`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new SandboxError('bad-webhook-url', `not an http(s) URL: ${parsed.href}`);
    if (parsed.pathname.startsWith('/__idpass')) {
      throw new SandboxError('bad-webhook-url', `${parsed.pathname} is the sandbox's own admin API: webhooks sent there would loop`);
    }
    this.target = parsed;
  }

  async start({ port = DEFAULT_SANDBOX_PORT, host = DEFAULT_HOST }: { port?: number; host?: string } = {}): Promise<string> {
    const server = http.createServer(this.app());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new SandboxError(
            error.code === 'EADDRINUSE' ? 'port-in-use' : 'bind-failed',
            error.code === 'EADDRINUSE'
              ? `port ${port} on ${host} is in use`
              : `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          ),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return this.url!;
  }

  /** Stops the server; scheduled webhooks are cancelled and returned (in-flight attempts finish first). */
  async close(): Promise<SandboxDelivery[]> {
    const server = this.server;
    this.server = null;
    const cancelled = await this.dispatcher.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return cancelled;
  }

  /** Completes an SDK session as a user finishing the widget would: its webhook, and its lookup. */
  completeSession(userRef = `user-${randomUUID().slice(0, 8)}`, status: 'VERIFIED' | 'NOT-VERIFIED' = 'VERIFIED'): SandboxDelivery {
    const sessionId = `sdk_session_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const reference = randomUUID();
    const body = loadFixture('sdk.session.completed', { reference });
    setPath(body, 'data.widget_info.user_ref', userRef);
    setPath(body, 'verification.status', status);
    setPath(body, 'session_id', sessionId);
    this.sessions.set(sessionId, {
      session_id: sessionId,
      verification_status: status,
      user_ref: userRef,
      confidence_score: status === 'VERIFIED' ? 98.5 : 12.0,
      created_at: new Date().toISOString(),
      metadata: {},
    });
    return this.dispatcher.enqueue('sdk.session.completed', body, reference);
  }

  /** Finishes a workflow run, or raises a watchlist alert: delivered like the real one. */
  raise(
    event: 'workflow.process.completed' | 'workflow.process.failed' | 'workflow.process.manual_review' | 'watchlist.identity_flagged',
  ): SandboxDelivery {
    const reference = randomUUID();
    return this.dispatcher.enqueue(event, loadFixture(event, { reference }), reference);
  }

  private fact(
    req: Request,
    status: number,
    extra: { code?: string | null; reference?: string | null; outcome?: string | null } = {},
  ): void {
    this.emit('fact', {
      type: 'api',
      method: req.method,
      path: req.path,
      status,
      code: extra.code ?? null,
      reference: extra.reference ?? null,
      outcome: extra.outcome ?? null,
    });
  }

  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts a call against its key's one-second window; true when the key is over the limit. */
  private limited(key: string): boolean {
    const limit = this.options.rateLimitPerSecond;
    if (!limit) return false;
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= 1_000) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value as string);
    }
    return ++w.count > limit;
  }

  private authorised(req: Request, res: Response): boolean {
    const key = req.get('x-api-key');
    const ok =
      key !== undefined && KEY_SHAPE.test(key) && (this.options.apiKey === undefined || constantTimeEqual(key, this.options.apiKey));
    if (ok && this.limited(key!)) {
      res.setHeader('retry-after', '1');
      res
        .status(429)
        .json(errorBody(`Too many requests: more than ${this.options.rateLimitPerSecond} a second for this API key; retry after 1 s`));
      this.fact(req, 429);
      return false;
    }
    if (!ok) {
      res
        .status(401)
        .json(errorBody('Unauthorized: invalid API key', { 'x-api-key': [key === undefined ? 'missing' : 'not a valid key'] }));
      this.fact(req, 401);
    }
    return ok;
  }

  private app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.use('/__idpass', express.json({ limit: '1mb' }), adminRouter(this));
    lookupRoutes(app, {
      verifications: this.verifications,
      sessions: this.sessions,
      authorised: (req, res) => this.authorised(req, res),
      fact: (req, status, extra) => this.fact(req, status, extra),
    });
    app.post('*splat', express.json({ limit: '20mb', type: () => true }), (req, res) => void this.verify(req, res));
    app.use((req: Request, res: Response) => {
      res.status(404).json(errorBody(`Not found: no sandbox endpoint for ${req.method} ${req.path}`));
      this.fact(req, 404);
    });
    app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, _next: express.NextFunction) => {
      const status = error.status ?? 500;
      res.status(status).json({ status: false, message: status === 400 ? 'Bad request: the body is not valid JSON' : error.message });
      this.fact(req, status);
    });
    return app;
  }

  private async verify(req: Request, res: Response): Promise<void> {
    const route = findRoute(req.path);
    if (!route) {
      res.status(404).json(errorBody(`Not found: no sandbox endpoint for POST ${req.path}`));
      this.fact(req, 404);
      return;
    }
    if (!this.authorised(req, res)) return;
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const missing = missingField(route, body);
    if (missing) {
      res.status(400).json({ status: false, message: `Bad request: missing required field '${missing}'` });
      this.fact(req, 400);
      return;
    }
    const number = numberOf(route, body);
    // identity numbers are short: BVN and NIN 11 digits, licences and voter's cards under 25 characters;
    // the magic numbers work on every product
    const wrong =
      number === null ? null : !ID_NUMBER.test(number) ? 'not an identity number' : isMagic(number) ? null : badNumber(route, number);
    if (wrong) {
      res.status(400).json(invalidData(route.numberFields.find((f) => body[f] !== undefined) ?? route.numberFields[0]!, wrong));
      this.fact(req, 400, { code: '05' });
      return;
    }
    let magic = outcomeFor(number ?? '');
    if (number === null || (magic.outcome === 'blocked' && !route.bvn)) magic = { ...magic, outcome: 'verified', code: '00' };
    const reference = randomUUID();
    if (magic.outcome === 'slow') await sleep(this.options.slowDelayMs ?? SANDBOX_SLOW_DELAY_MS);
    const now = new Date().toISOString();
    const record = (status: Verification['status']) =>
      this.verifications.set(reference, {
        reference,
        status,
        code: magic.code,
        endpoint: route.endpointName,
        createdAt: now,
        updatedAt: now,
        request: echoRequest(body),
      });
    if (magic.outcome === 'verified' || magic.outcome === 'slow') {
      const answer = matchBody(route, number, reference, echoRequest(body));
      record('VERIFIED');
      res.status(200).json(answer);
      this.fact(req, 200, { code: '00', reference, outcome: magic.outcome });
      this.dispatcher.enqueue('verification.completed', answer, reference);
      return;
    }
    const pending = magic.outcome === 'registry-down' || magic.outcome === 'wallet-empty';
    record(pending ? 'PENDING' : 'NOT-VERIFIED');
    res.status(200).json(failureBody(magic, reference, route));
    this.fact(req, 200, { code: magic.code, reference, outcome: magic.outcome });
    if (pending) this.completeLater(route, number, reference, magic.outcome === 'registry-down', echoRequest(body));
  }

  /** The result of a 02/03 call, by webhook after the pending delay, flagged as Prembly flags a retry. */
  private completeLater(
    route: Parameters<typeof matchBody>[0],
    number: string | null,
    reference: string,
    downtime: boolean,
    request: Record<string, unknown>,
  ): void {
    const final = matchBody(route, number, reference, request);
    final[downtime ? 'is_callback_retry' : 'is_pending_payment_retry'] = true;
    const event = downtime ? 'verification.retry.completed' : 'verification.payment_retry.completed';
    const delivery = this.dispatcher.enqueue(event, final, reference, this.options.pendingDelayMs ?? SANDBOX_PENDING_DELAY_MS);
    delivery.onFirstAttempt = () => {
      const entry = this.verifications.get(reference);
      if (entry) Object.assign(entry, { status: 'VERIFIED', code: '00', updatedAt: new Date().toISOString() });
    };
  }
}

export function createSandbox(options: SandboxOptions): Sandbox {
  return new Sandbox(options);
}

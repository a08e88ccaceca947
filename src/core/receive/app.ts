import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { constantTimeEqual } from '../common/compare.js';
import { PROBE_HEADER, PROBE_PATH } from '../tunnel/probe.js';

/**
 * The listener's HTTP side: the tunnel probe, the raw body read once (never inflated: the
 * signature covers the bytes on the wire), a friendly GET, 405 for other methods, and the error
 * paths. Each delivery is handed to `receive`, which records and answers it.
 *
 * The express app serves everything, and is what `listener.app` exposes for mounting elsewhere.
 * The listener's own server sends deliveries (POST, PUT, PATCH off the probe path) straight to the
 * same delivery handler without express's routing and response wrappers: the handler uses only
 * node's request and response, so both ways give the same answer, and the hot path costs what node
 * costs (express's layers were a fifth of a delivery's CPU time on Node 24).
 */
export interface AppHandlers {
  maxBodyBytes: number;
  probeSecret?: string;
  /** How many deliveries arrived, for the GET answer. */
  count(): number;
  /** `body` is null when the request was over the size limit and refused unread; `size` is what was declared or arrived. */
  receive(req: IncomingMessage, res: ServerResponse, body: Buffer | null, size: number): Promise<void>;
  abandoned(req: IncomingMessage): void;
  internalError(req: IncomingMessage, cause: string): void;
}

export interface ListenerHttp {
  app: express.Express;
  /** The listener's server handler: deliveries directly, everything else through the app. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

const DELIVERY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The path and query as the sender wrote them (express keeps them in originalUrl when mounted). */
export function requestPath(req: IncomingMessage): string {
  return (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

/** Answers with JSON, as express's res.json does (same content type), through node's own response. */
export function answerJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  answer(res, status, Buffer.from(JSON.stringify(body)), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

export function answer(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-length', body.length);
  res.end(body);
}

export function createListenerApp(handlers: AppHandlers): ListenerHttp {
  const deliver = async (req: IncomingMessage, res: ServerResponse) => {
    // the raw bytes, read once, never inflated: the signature covers the bytes on the wire
    const read = await readBody(req, handlers.maxBodyBytes);
    if (read.abandoned) return handlers.abandoned(req);
    await handlers.receive(req, res, read.body, read.size);
  };
  const failed = (req: IncomingMessage, res: ServerResponse, error: { type?: string; status?: number; message?: string }) => {
    if (error.type === 'request.aborted' || req.socket.destroyed) {
      handlers.abandoned(req);
      return;
    }
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) handlers.internalError(req, error.message ?? 'unknown');
    if (!res.headersSent) answerJson(res, status, { error: error.message ?? 'bad request' });
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith(PROBE_PATH)) return next();
    const nonce = req.path.slice(PROBE_PATH.length);
    if (!handlers.probeSecret || !constantTimeEqual(req.get(PROBE_HEADER) ?? '', handlers.probeSecret)) return next();
    res.status(200).json({ probe: nonce });
  });
  app.use(async (req: Request, res: Response) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.status(200).json({ idpass: 'listening', deliveries: handlers.count(), send: 'POST Identitypass deliveries to any path here' });
      return;
    }
    if (!DELIVERY_METHODS.has(req.method)) {
      res
        .set('allow', 'POST, GET')
        .status(405)
        .json({ error: `${req.method} is not accepted: send deliveries with POST` });
      return;
    }
    await deliver(req, res);
  });
  app.use(async (error: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) =>
    failed(req, res, error),
  );

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!DELIVERY_METHODS.has(req.method ?? '') || (req.url ?? '').startsWith(PROBE_PATH)) return void app(req, res);
    deliver(req, res).catch((error: unknown) => {
      try {
        failed(req, res, error instanceof Error ? error : { message: String(error) });
      } catch {
        // the answer could not be written either: the connection is gone
        res.destroy();
      }
    });
  };
  return { app, handle };
}

interface ReadBody {
  /** null when the body went over the limit: it was not kept. */
  body: Buffer | null;
  /** The declared Content-Length, else the bytes that arrived. */
  size: number;
  abandoned: boolean;
}

/**
 * Reads the body as it arrived, whatever its encoding. Over the limit it stops keeping bytes but
 * reports the size the sender declared (or, for a chunked body, what arrived before it was cut off).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  const declared = Number(req.headers['content-length']);
  const known = Number.isFinite(declared) && declared >= 0 ? declared : null;
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let received = 0;
    let over = known !== null && known > limit;
    // a declared length is read straight into one buffer: the chunks go as they come, never held
    // beside their concatenation (an 8 MB body cost 16 MB at once that way)
    let into = !over && known !== null && known > 0 ? Buffer.allocUnsafe(known) : null;
    const finish = (abandoned: boolean) => {
      req.off('data', onData);
      const body = over ? null : into ? into.subarray(0, received) : Buffer.concat(chunks);
      resolve({ body, size: known ?? received, abandoned });
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (over) return;
      if (received > limit) {
        over = true;
        chunks.length = 0;
        into = null;
        // enough is known: answer now rather than read an endless chunked body
        finish(false);
        return;
      }
      if (into && received <= into.length) chunk.copy(into, received - chunk.length);
      else {
        // more than was declared (the parser should not let it through): keep it all the plain way
        if (into) chunks = [into.subarray(0, received - chunk.length)];
        into = null;
        chunks.push(chunk);
      }
    };
    if (over) return finish(false);
    req.on('data', onData);
    req.once('end', () => finish(false));
    req.once('aborted', () => finish(true));
    req.once('error', () => finish(!req.complete));
  });
}

/** Header pairs in wire order with their original casing. */
export function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

import express, { type NextFunction, type Request, type Response } from 'express';
import { constantTimeEqual } from '../signing/sign.js';
import { PROBE_HEADER, PROBE_PATH } from '../tunnel/probe.js';

/**
 * The listener's express app: the tunnel probe, the raw body read once (never inflated: the
 * signature covers the bytes on the wire), a friendly GET, 405 for other methods, and the error
 * paths. Each delivery is handed to `receive`, which records and answers it.
 */
export interface AppHandlers {
  maxBodyBytes: number;
  probeSecret?: string;
  /** How many deliveries arrived, for the GET answer. */
  count(): number;
  /** `body` is null when the request was over the size limit and refused unread; `size` is what was declared or arrived. */
  receive(req: Request, res: Response, body: Buffer | null, size: number): Promise<void>;
  abandoned(req: Request): void;
  internalError(req: Request, cause: string): void;
}

export function createListenerApp(handlers: AppHandlers): express.Express {
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
    if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') {
      res
        .set('allow', 'POST, GET')
        .status(405)
        .json({ error: `${req.method} is not accepted: send deliveries with POST` });
      return;
    }
    // the raw bytes, read once, never inflated: the signature covers the bytes on the wire
    const read = await readBody(req, handlers.maxBodyBytes);
    if (read.abandoned) return handlers.abandoned(req);
    await handlers.receive(req, res, read.body, read.size);
  });

  app.use(async (error: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'request.aborted' || req.socket.destroyed) {
      handlers.abandoned(req);
      return;
    }
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) handlers.internalError(req, error.message ?? 'unknown');
    if (!res.headersSent) res.status(status).json({ error: error.message ?? 'bad request' });
  });
  return app;
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
function readBody(req: Request, limit: number): Promise<ReadBody> {
  const declared = Number(req.get('content-length'));
  const known = Number.isFinite(declared) && declared >= 0 ? declared : null;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let over = known !== null && known > limit;
    const finish = (abandoned: boolean) => {
      req.off('data', onData);
      resolve({ body: over ? null : Buffer.concat(chunks), size: known ?? received, abandoned });
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (over) return;
      if (received > limit) {
        over = true;
        chunks.length = 0;
        // enough is known: answer now rather than read an endless chunked body
        finish(false);
        return;
      }
      chunks.push(chunk);
    };
    if (over) return finish(false);
    req.on('data', onData);
    req.once('end', () => finish(false));
    req.once('aborted', () => finish(true));
    req.once('error', () => finish(!req.complete));
  });
}

/** Header pairs in wire order with their original casing. */
export function headerPairs(req: Request): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

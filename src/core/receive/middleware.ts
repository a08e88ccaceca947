import { DEFAULT_MAX_BODY_BYTES } from '../common/defaults.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { classify, type Classification } from '../delivery/classify.js';
import type { Scheme } from '../signing/schemes.js';
import { verify, type VerifyResult } from '../signing/verify.js';
import { TokenWindow } from './token-window.js';

/** What the middleware attaches to `req.identitypass` once a delivery passed. */
export interface IdentitypassDelivery {
  verification: VerifyResult;
  classification: Classification;
  /** The exact bytes the signature was checked over. */
  rawBody: Buffer;
  /** The token was seen before by this middleware (only when duplicates are allowed through). */
  duplicate: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- express's own way to add request fields
  namespace Express {
    interface Request {
      /** Set by `identitypassWebhook()` once a delivery's signature passed. */
      identitypass?: IdentitypassDelivery;
    }
  }
}

const CURRENT_SCHEMES: readonly Scheme[] = ['prembly-hmac'];

/** An express request after `identitypassWebhook()`: `body` is the parsed JSON. */
export type IdentitypassRequest = Request & { identitypass: IdentitypassDelivery };

/**
 * What to do with a delivery whose token was handled before: `'acknowledge'` answers 200 without
 * calling the handler again (what Prembly needs: a dashboard resend keeps its token and must get
 * 200), `'allow'` calls it with `req.identitypass.duplicate` set, `'reject'` answers 409.
 */
export type DuplicatePolicy = 'acknowledge' | 'allow' | 'reject';

export interface IdentitypassWebhookOptions {
  /** Your sandbox public key (`test_pk_…`); `IDPASS_PUBLIC_KEY` from the environment when omitted. */
  publicKey?: string;
  /**
   * Your live public key (`live_pk_…`): Prembly signs workflow, async, retry, Customer 360, watchlist
   * and credit events with it, even from sandbox. `IDPASS_LIVE_PUBLIC_KEY` from the environment when omitted.
   */
  livePublicKey?: string;
  /**
   * Schemes to accept: the current HMAC only by default. The legacy static schemes are your public key
   * in base64, which anyone who has seen the key can send; list them only for an integration that still uses them.
   */
  schemes?: readonly Scheme[];
  /** Refuse (401) a delivery without the `token` header Prembly sends with every delivery. True by default. */
  requireToken?: boolean;
  /**
   * A delivery whose `token` was handled before: `'acknowledge'` (default) answers 200 without
   * calling the handler again, `'allow'` lets it through with `req.identitypass.duplicate` set,
   * `'reject'` answers 409 (Prembly then counts the resend as failed), or decide per request.
   */
  onDuplicate?: DuplicatePolicy | ((token: string, req: Request) => DuplicatePolicy);
  /** Largest body accepted; bigger ones get 413. 10 MB by default: identity bodies carry photos. */
  maxBodyBytes?: number;
  /** How many tokens to remember for duplicate detection. */
  rememberTokens?: number;
}

export const MOUNT_FIRST_MESSAGE =
  'identitypassWebhook() needs the raw request body, but it was already parsed (by express.json() or another body parser). ' +
  'Mount identitypassWebhook() before any body parser on this route, e.g. app.post("/webhooks/identitypass", identitypassWebhook({ publicKey }), handler); ' +
  'it parses the JSON itself after checking the signature.';

class BodyTooLarge extends Error {}

function readRaw(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The exact bytes of the body (read here, or left by express.raw()); null when it answered or passed an error on. */
async function rawBody(req: Request, res: Response, next: NextFunction, maxBodyBytes: number): Promise<Buffer | null> {
  if (Buffer.isBuffer(req.body)) return req.body; // express.raw() ran first: those are still the exact bytes
  if (req.body !== undefined || req.readableEnded) {
    next(new Error(MOUNT_FIRST_MESSAGE));
    return null;
  }
  try {
    return await readRaw(req, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      res
        .status(413)
        .set('connection', 'close')
        .json({ error: `body larger than ${maxBodyBytes} bytes` });
    } else next(error);
    return null;
  }
}

/**
 * A token counts as handled once the app answered 2xx: a handler that failed gets its retry. Until
 * then it is in flight: a retry that comes meanwhile (Prembly gave up waiting) is let through, not
 * refused, or both attempts would count as failed.
 */
function rememberOnSuccess(seen: TokenWindow, inFlight: Set<string>, token: string, res: Response): void {
  seen.remember(token);
  inFlight.add(token);
  let settled = false;
  const settle = (handled: boolean) => {
    if (settled) return;
    settled = true;
    inFlight.delete(token);
    if (!handled) seen.forget(token);
  };
  res.once('finish', () => settle(res.statusCode >= 200 && res.statusCode < 300));
  res.once('close', () => settle(false));
}

/**
 * Express middleware that verifies Identitypass deliveries in your own app: it reads the raw body
 * itself, checks the signature in constant time over those exact bytes, refuses replays of a
 * token, answers 401 with the reason when the signature is missing or wrong, and otherwise sets
 * `req.body` to the parsed JSON and `req.identitypass` to the verification result.
 */
export function identitypassWebhook(given: IdentitypassWebhookOptions = {}): RequestHandler {
  const options = {
    ...given,
    publicKey: given.publicKey ?? process.env.IDPASS_PUBLIC_KEY,
    livePublicKey: given.livePublicKey ?? (process.env.IDPASS_LIVE_PUBLIC_KEY || undefined),
  };
  const publicKey = options.publicKey;
  if (!publicKey || publicKey.trim() === '') {
    throw new TypeError('identitypassWebhook() needs your public key: pass { publicKey } or set IDPASS_PUBLIC_KEY');
  }
  const {
    livePublicKey,
    schemes = CURRENT_SCHEMES,
    requireToken = true,
    onDuplicate = 'acknowledge',
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    rememberTokens = 10_000,
  } = options;
  if (!Number.isInteger(rememberTokens) || rememberTokens < 0) {
    throw new TypeError(`identitypassWebhook({ rememberTokens }) takes a whole number of tokens (0 remembers none), not ${rememberTokens}`);
  }
  const seen = new TokenWindow(rememberTokens);
  const inFlight = new Set<string>();

  return async (req: Request, res: Response, next: NextFunction) => {
    const raw = await rawBody(req, res, next, maxBodyBytes);
    if (!raw) return;

    // header pairs as sent: node joins a repeated header into one value, idpass reads the first (as listen does)
    const pairs: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const verification = verify({ body: raw, headers: pairs, publicKey, livePublicKey, schemes });
    if (!verification.valid) {
      // the reason code only: the message may carry key fingerprints, which no caller should read
      res.status(401).json({ error: 'invalid Identitypass signature', reason: verification.reason });
      return;
    }

    const token = verification.token;
    if (requireToken && !token) {
      res.status(401).json({ error: 'no token header', reason: 'missing-token' });
      return;
    }
    const duplicate = token !== null && seen.has(token);
    if (token && !duplicate) rememberOnSuccess(seen, inFlight, token, res);
    if (duplicate && token && !inFlight.has(token)) {
      const policy = typeof onDuplicate === 'function' ? onDuplicate(token, req) : onDuplicate;
      if (policy === 'reject') {
        res.status(409).json({ error: 'duplicate delivery', reason: 'duplicate-token', message: `token ${token} was already received` });
        return;
      }
      if (policy !== 'allow') {
        // handled already: Prembly gets its 200, the handler is not run twice
        res.status(200).json({ received: true, duplicate: true });
        return;
      }
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'the body is not JSON' });
      return;
    }
    req.body = parsed;
    (req as IdentitypassRequest).identitypass = { verification, classification: classify(parsed), rawBody: raw, duplicate };
    next();
  };
}

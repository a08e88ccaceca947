/**
 * Sending from the page: a recorded delivery again (the exact bytes and headers), or an edited
 * body signed afresh (a new token) with the key Prembly signs that event with.
 */

import { findEvent } from '../../core/delivery/catalog.js';
import { forwardableHeaders } from '../../core/http/forward.js';
import { SendError, sendRequest } from '../../core/http/send.js';
import { maskUrl } from '../../core/http/url.js';
import { isProtectedHeader, type Scheme } from '../../core/signing/schemes.js';
import { sign } from '../../core/signing/sign.js';
import type { DeliveryRecord } from '../../core/store/codec.js';
import type { Keys } from './detail.js';

export interface SendOutcome {
  url: string;
  status: number | null;
  ms: number;
  preview: string;
  error: string | null;
}

export async function sendOnce(url: URL, method: string, headers: Record<string, string | string[]>, body: Buffer): Promise<SendOutcome> {
  const started = Date.now();
  try {
    const reply = await sendRequest({ url, method, headers, body, timeoutMs: 10_000, maxReplyBytes: 64 * 1024 });
    return { url: maskUrl(url), status: reply.status, ms: reply.ms, preview: reply.body.toString('utf8', 0, 4000), error: null };
  } catch (error) {
    const message = error instanceof SendError ? `${error.kind}: ${error.message}` : (error as Error).message;
    return { url: maskUrl(url), status: null, ms: Date.now() - started, preview: '', error: message };
  }
}

/** The original request again: its bytes and headers (hop-by-hop ones dropped), its method. */
export function resendRequest(record: DeliveryRecord) {
  return { method: record.method, headers: forwardableHeaders(record.headers), body: Buffer.from(record.body ?? '', 'base64') };
}

/**
 * An edited body signed afresh. Headers of the original that are not the signature's are kept
 * (content encoding and length are the new body's business); the key is the one Prembly signs
 * the event with (the live key for retry results), unless told.
 */
export function signedRequest(
  text: string,
  keys: Keys,
  scheme: Scheme,
  from: DeliveryRecord | null,
  key?: 'sandbox' | 'live',
): { method: string; headers: Record<string, string>; pairs: [string, string][]; body: Buffer; token: string; key: 'sandbox' | 'live' } {
  const body = Buffer.from(text, 'utf8');
  const event = from?.event ? findEvent(from.event) : undefined;
  const which = key ?? event?.signedWith ?? 'sandbox';
  const publicKey = which === 'live' && keys.livePublicKey ? keys.livePublicKey : keys.publicKey;
  const signed = sign({ body, publicKey, scheme });
  const kept = Object.entries(forwardableHeaders(from?.headers ?? [])).filter(
    ([name]) => !isProtectedHeader(name) && !['content-encoding', 'content-type'].includes(name.toLowerCase()),
  );
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of kept) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  Object.assign(headers, signed.headers);
  return { method: 'POST', headers, pairs: Object.entries(headers), body, token: signed.token, key: which };
}

import { createHmac, randomUUID } from 'node:crypto';
import { signatureHeaderFor, TOKEN_HEADER, type Scheme } from './schemes.js';

export type Body = string | Uint8Array;

function toBuffer(body: Body): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The signature header value a scheme puts on `body` under `publicKey`. */
export function computeSignature(scheme: Scheme, publicKey: string, body: Body): string {
  if (scheme === 'prembly-hmac') {
    return createHmac('sha256', publicKey).update(toBuffer(body)).digest('base64');
  }
  return Buffer.from(publicKey, 'utf8').toString('base64');
}

export interface SignOptions {
  body: Body;
  publicKey: string;
  scheme?: Scheme;
  /** The `token` header; a fresh random one when omitted. */
  token?: string;
}

export interface SignedHeaders {
  headers: Record<string, string>;
  token: string;
  signatureHeader: string;
  signature: string;
}

/** Signs a raw body the way Identitypass does and returns the headers to send with it. */
export function sign({ body, publicKey, scheme = 'prembly-hmac', token = randomUUID() }: SignOptions): SignedHeaders {
  if (typeof publicKey !== 'string' || publicKey.trim() === '') {
    throw new TypeError('sign() needs the public key (test_pk_… or live_pk_…): a signature under an empty key proves nothing');
  }
  const signatureHeader = signatureHeaderFor(scheme);
  const signature = computeSignature(scheme, publicKey, body);
  return {
    headers: { 'content-type': 'application/json', [signatureHeader]: signature, [TOKEN_HEADER]: token },
    token,
    signatureHeader,
    signature,
  };
}

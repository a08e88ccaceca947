import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

import {
  IDENTITYPASS_SIGNATURE_HEADER,
  isStaticScheme,
  keyFingerprint,
  PREMBLY_SIGNATURE_HEADER,
  SCHEMES,
  signatureHeaderFor,
  TOKEN_HEADER,
  type Scheme,
} from './schemes.js';

export * from './schemes.js';

/** Headers as node, fetch or a plain object carries them. Names are matched case-insensitively. */
export type HeaderInput =
  | Record<string, string | string[] | number | undefined>
  | { get(name: string): string | null }
  | Iterable<[string, string]>;

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
export function sign({ body, publicKey, scheme = 'identitypass', token = randomUUID() }: SignOptions): SignedHeaders {
  const signatureHeader = signatureHeaderFor(scheme);
  const signature = computeSignature(scheme, publicKey, body);
  return {
    headers: { 'content-type': 'application/json', [signatureHeader]: signature, [TOKEN_HEADER]: token },
    token,
    signatureHeader,
    signature,
  };
}

/** Reads one header case-insensitively from any of the usual header containers. */
export function readHeader(headers: HeaderInput, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(wanted);
    return value ?? undefined;
  }
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in (headers as object)
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
    return String(value);
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface DetectedScheme {
  scheme: Scheme;
  header: string;
  value: string;
}

/**
 * Which scheme a request uses, from its headers alone. `x-prembly-signature` carries either the
 * static key (legacy) or an HMAC; an HMAC decodes to raw bytes, which a printable public key never
 * does.
 */
export function detectScheme(headers: HeaderInput): DetectedScheme | null {
  const prembly = readHeader(headers, PREMBLY_SIGNATURE_HEADER);
  if (prembly !== undefined) {
    const value = prembly.trim();
    return { scheme: looksLikeHmac(value) ? 'prembly-hmac' : 'prembly-legacy', header: PREMBLY_SIGNATURE_HEADER, value };
  }
  const identitypass = readHeader(headers, IDENTITYPASS_SIGNATURE_HEADER);
  if (identitypass !== undefined) {
    return { scheme: 'identitypass', header: IDENTITYPASS_SIGNATURE_HEADER, value: identitypass.trim() };
  }
  return null;
}

/** A static signature decodes to a printable key; anything else base64 is a (maybe damaged) HMAC. */
function looksLikeHmac(value: string): boolean {
  if (!BASE64.test(value)) return false;
  return !isPrintableAscii(Buffer.from(value, 'base64'));
}

function isPrintableAscii(bytes: Buffer): boolean {
  return bytes.every((b) => b >= 0x20 && b < 0x7f);
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** Why a verification came out as it did. */
export type VerifyReason =
  | 'valid'
  | 'missing-signature'
  | 'empty-signature'
  | 'malformed-signature'
  | 'wrong-key'
  | 'body-mismatch'
  | 'scheme-not-allowed';

export interface VerifyResult {
  valid: boolean;
  reason: VerifyReason;
  /** One sentence a developer can act on. */
  message: string;
  scheme: Scheme | null;
  header: string | null;
  /** The scheme proves only that the sender knows the public key, not that the body is intact. */
  weak: boolean;
  token: string | null;
  /** For static schemes, a fingerprint of the key the sender used (never the key itself). */
  senderKeyFingerprint?: string;
}

export interface VerifyOptions {
  body: Body;
  headers: HeaderInput;
  publicKey: string;
  /** Schemes to accept; all three by default. */
  schemes?: readonly Scheme[];
}

/** Verifies a delivery's signature over its raw bytes and says why it failed when it did. */
export function verify({ body, headers, publicKey, schemes = SCHEMES }: VerifyOptions): VerifyResult {
  const token = readHeader(headers, TOKEN_HEADER)?.trim() || null;
  const detected = detectScheme(headers);
  const base = { token, weak: false };
  if (!detected) {
    return {
      ...base,
      valid: false,
      reason: 'missing-signature',
      message: `no ${PREMBLY_SIGNATURE_HEADER} or ${IDENTITYPASS_SIGNATURE_HEADER} header: the request is unsigned`,
      scheme: null,
      header: null,
    };
  }
  const { scheme, header, value } = detected;
  const weak = isStaticScheme(scheme);
  const found = { ...base, scheme, header, weak };
  if (!schemes.includes(scheme)) {
    return {
      ...found,
      valid: false,
      reason: 'scheme-not-allowed',
      message: `the request uses the ${scheme} scheme, which is not accepted here (accepted: ${schemes.join(', ')})`,
    };
  }
  if (value === '') {
    return { ...found, valid: false, reason: 'empty-signature', message: `the ${header} header is empty` };
  }
  if (scheme === 'prembly-hmac') {
    if (value.length !== 44) {
      return {
        ...found,
        valid: false,
        reason: 'malformed-signature',
        message: `the HMAC in ${header} has ${value.length} characters where base64 HMAC-SHA256 has 44 (truncated?)`,
      };
    }
    const expected = computeSignature('prembly-hmac', publicKey, body);
    if (constantTimeEqual(value, expected)) {
      return { ...found, valid: true, reason: 'valid', message: 'HMAC-SHA256 of the body matches the public key' };
    }
    return {
      ...found,
      valid: false,
      reason: 'body-mismatch',
      message:
        'HMAC-SHA256 does not match: the body changed after signing (a re-serialised body counts) or it was signed with another key',
    };
  }
  const expected = computeSignature(scheme, publicKey, body);
  if (constantTimeEqual(value, expected)) {
    return {
      ...found,
      valid: true,
      reason: 'valid',
      message: `matches the public key (${scheme} signs no body: anyone who saw one request can forge others)`,
    };
  }
  if (!BASE64.test(value) || value.length % 4 !== 0) {
    return { ...found, valid: false, reason: 'malformed-signature', message: `the ${header} value is not base64 (truncated or mangled?)` };
  }
  const senderKey = Buffer.from(value, 'base64');
  if (!isPrintableAscii(senderKey)) {
    return {
      ...found,
      valid: false,
      reason: 'malformed-signature',
      message: `the ${header} value does not decode to a public key (truncated or mangled?)`,
    };
  }
  const senderKeyFingerprint = keyFingerprint(senderKey.toString('utf8'));
  return {
    ...found,
    valid: false,
    reason: 'wrong-key',
    senderKeyFingerprint,
    message: `signed with a different public key (${senderKeyFingerprint}, expected ${keyFingerprint(publicKey)})`,
  };
}

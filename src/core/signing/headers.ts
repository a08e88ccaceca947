import { IDENTITYPASS_SIGNATURE_HEADER, PREMBLY_SIGNATURE_HEADER, type Scheme } from './schemes.js';

/** Headers as node, fetch or a plain object carries them. Names are matched case-insensitively. */
export type HeaderInput =
  Record<string, string | string[] | number | undefined> | { get(name: string): string | null } | Iterable<[string, string]>;

/** Reads one header case-insensitively from any of the usual header containers. */
export function readHeader(headers: HeaderInput, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(wanted);
    return value ?? undefined;
  }
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in (headers as object) ? (headers as Iterable<[string, string]>) : Object.entries(headers as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
    return String(value);
  }
  return undefined;
}

export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

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

export function isPrintableAscii(bytes: Buffer): boolean {
  return bytes.every((b) => b >= 0x20 && b < 0x7f);
}

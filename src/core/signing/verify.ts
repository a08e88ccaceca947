import { BASE64, detectScheme, isPrintableAscii, readHeader, type HeaderInput } from './headers.js';
import {
  IDENTITYPASS_SIGNATURE_HEADER,
  isStaticScheme,
  keyFingerprint,
  PREMBLY_SIGNATURE_HEADER,
  SCHEMES,
  TOKEN_HEADER,
  type KeyKind,
  type Scheme,
} from './schemes.js';
import { constantTimeEqual } from '../common/compare.js';
import { computeSignature, type Body } from './sign.js';

/** Why a verification came out as it did. */
export type VerifyReason =
  | 'valid'
  | 'missing-signature'
  | 'empty-signature'
  | 'malformed-signature'
  | 'wrong-key'
  | 'body-mismatch'
  | 'scheme-not-allowed'
  /** The body was over the size limit and was not read, so nothing could be checked. */
  | 'body-not-read';

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
  /** Which public key matched: the sandbox one or the live one; null when none did. */
  key: KeyKind | null;
  /** For static schemes, a fingerprint of the key the sender used (never the key itself). */
  senderKeyFingerprint?: string;
}

export interface VerifyOptions {
  body: Body;
  headers: HeaderInput;
  /** The sandbox public key (`test_pk_…`), or the one key you have. */
  publicKey: string;
  /**
   * The live public key (`live_pk_…`), tried second: Prembly signs workflow runs, async
   * verifications, retry results, Customer 360, watchlist and credit events with it, even from sandbox.
   */
  livePublicKey?: string;
  /** Schemes to accept; all three by default. */
  schemes?: readonly Scheme[];
}

const KEY_WORDS: Record<KeyKind, string> = { sandbox: 'the sandbox public key', live: 'the live public key' };

/** Which of the keys gives `value` for this scheme and body, in constant time per key. */
function matchingKey(scheme: Scheme, value: string, body: Body, keys: [KeyKind, string][]): KeyKind | null {
  for (const [kind, key] of keys) if (constantTimeEqual(value, computeSignature(scheme, key, body))) return kind;
  return null;
}

/** Verifies a delivery's signature over its raw bytes and says why it failed when it did. */
export function verify({ body, headers, publicKey, livePublicKey, schemes = SCHEMES }: VerifyOptions): VerifyResult {
  if (typeof publicKey !== 'string' || publicKey.trim() === '') {
    throw new TypeError('verify() needs the public key (test_pk_… or live_pk_…): an empty key would verify nothing');
  }
  const token = readHeader(headers, TOKEN_HEADER)?.trim() || null;
  const detected = detectScheme(headers);
  const base = { token, weak: false, key: null };
  const keys: [KeyKind, string][] = [['sandbox', publicKey]];
  if (livePublicKey && livePublicKey !== publicKey) keys.push(['live', livePublicKey]);
  const keyWords = (kind: KeyKind) => (keys.length > 1 ? KEY_WORDS[kind] : 'the public key');
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
  return scheme === 'prembly-hmac' ? verifyHmac(found, value, body, keys, keyWords) : verifyStatic(found, value, body, keys, keyWords);
}

type Found = Pick<VerifyResult, 'token' | 'weak' | 'key' | 'scheme' | 'header'> & { scheme: Scheme; header: string };

/** The current scheme: base64(HMAC-SHA256(key, raw body)). */
function verifyHmac(found: Found, value: string, body: Body, keys: [KeyKind, string][], keyWords: (kind: KeyKind) => string): VerifyResult {
  if (value.length !== 44) {
    return {
      ...found,
      valid: false,
      reason: 'malformed-signature',
      message: `the HMAC in ${found.header} has ${value.length} characters where base64 HMAC-SHA256 has 44 (truncated?)`,
    };
  }
  const key = matchingKey(found.scheme, value, body, keys);
  if (key) return { ...found, key, valid: true, reason: 'valid', message: `HMAC-SHA256 of the body matches ${keyWords(key)}` };
  return {
    ...found,
    valid: false,
    reason: 'body-mismatch',
    message: 'HMAC-SHA256 does not match: the body changed after signing (a re-serialised body counts) or it was signed with another key',
  };
}

/** The legacy static schemes: base64 of the public key itself, whatever the body. */
function verifyStatic(
  found: Found,
  value: string,
  body: Body,
  keys: [KeyKind, string][],
  keyWords: (kind: KeyKind) => string,
): VerifyResult {
  const { scheme, header } = found;
  const key = matchingKey(scheme, value, body, keys);
  if (key) {
    return {
      ...found,
      key,
      valid: true,
      reason: 'valid',
      message: `matches ${keyWords(key)} (${scheme} signs no body: anyone who saw one request can forge others)`,
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
    message: `signed with a different public key (${senderKeyFingerprint}, expected ${keys.map(([, k]) => keyFingerprint(k)).join(' or ')})`,
  };
}

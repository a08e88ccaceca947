import { BASE64, detectScheme, isPrintableAscii, readHeader, type HeaderInput } from './headers.js';
import {
  IDENTITYPASS_SIGNATURE_HEADER,
  isStaticScheme,
  keyFingerprint,
  PREMBLY_SIGNATURE_HEADER,
  SCHEMES,
  TOKEN_HEADER,
  type Scheme,
} from './schemes.js';
import { computeSignature, constantTimeEqual, type Body } from './sign.js';

/** Why a verification came out as it did. */
export type VerifyReason =
  'valid' | 'missing-signature' | 'empty-signature' | 'malformed-signature' | 'wrong-key' | 'body-mismatch' | 'scheme-not-allowed';

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
      message: 'HMAC-SHA256 does not match: the body changed after signing (a re-serialised body counts) or it was signed with another key',
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

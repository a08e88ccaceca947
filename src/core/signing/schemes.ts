/** Scheme names, header names and the built-in key: the light part of signing, safe to load at startup. */

/** The three Identitypass / Prembly webhook signature generations. */
export type Scheme = 'identitypass' | 'prembly-legacy' | 'prembly-hmac';

export const SCHEMES: readonly Scheme[] = ['identitypass', 'prembly-legacy', 'prembly-hmac'];

/** Which of a merchant's two public keys: sandbox (`test_pk_…`) or live (`live_pk_…`). */
export type KeyKind = 'sandbox' | 'live';

/** The sandbox key used when none is given. It signs nothing real. */
export const BUILTIN_TEST_KEY = 'test_pk_idpass0sandbox0key0not0for0production';

/** The live key used when none is given: a stand-in that signs the kinds Prembly signs with the live key. Not a real key. */
export const BUILTIN_LIVE_TEST_KEY = 'live_pk_idpass0stand0in0live0key0not0real';

export const IDENTITYPASS_SIGNATURE_HEADER = 'x-identitypass-signature';
export const PREMBLY_SIGNATURE_HEADER = 'x-prembly-signature';
export const TOKEN_HEADER = 'token';

/** The headers that prove what Prembly sent: nothing idpass adds may replace them unless asked. */
export const PROTECTED_HEADERS: readonly string[] = [PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER];

/** Whether a header name (any case) is one of PROTECTED_HEADERS. */
export function isProtectedHeader(name: string): boolean {
  return PROTECTED_HEADERS.includes(name.toLowerCase());
}

export function signatureHeaderFor(scheme: Scheme): string {
  return scheme === 'identitypass' ? IDENTITYPASS_SIGNATURE_HEADER : PREMBLY_SIGNATURE_HEADER;
}

/** True for the schemes whose signature is the same on every request and says nothing about the body. */
export function isStaticScheme(scheme: Scheme): boolean {
  return scheme !== 'prembly-hmac';
}

/** FNV-1a, 32 bits, as 4 hex digits: enough to tell two keys apart, nothing to learn a key from. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash >>> 16).toString(16).padStart(4, '0');
}

/**
 * A short, safe name for a key: its kind prefix, its last six characters when it is long enough
 * to spare them, and a short hash, so two keys with the same ending still differ.
 */
export function keyFingerprint(key: string): string {
  const prefix = /^(test_pk_|live_pk_|test_sk_|live_sk_)/.exec(key)?.[1] ?? '';
  const tail = key.length - prefix.length >= 16 ? key.slice(-6) : '';
  return `${prefix}…${tail} #${shortHash(key)}`;
}

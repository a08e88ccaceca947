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

export function signatureHeaderFor(scheme: Scheme): string {
  return scheme === 'identitypass' ? IDENTITYPASS_SIGNATURE_HEADER : PREMBLY_SIGNATURE_HEADER;
}

/** True for the schemes whose signature is the same on every request and says nothing about the body. */
export function isStaticScheme(scheme: Scheme): boolean {
  return scheme !== 'prembly-hmac';
}

/** A short, safe name for a key: its kind prefix and last four characters. */
export function keyFingerprint(key: string): string {
  const prefix = /^(test_pk_|live_pk_|test_sk_|live_sk_)/.exec(key)?.[1] ?? '';
  // Too short to show any of it without showing most of it.
  if (key.length - prefix.length < 12) return `${prefix}…`;
  return `${prefix}…${key.slice(-4)}`;
}

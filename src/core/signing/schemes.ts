/** Scheme names, header names and the built-in key: the light part of signing, safe to load at startup. */

/** The three Identitypass / Prembly webhook signature generations. */
export type Scheme = 'identitypass' | 'prembly-legacy' | 'prembly-hmac';

export const SCHEMES: readonly Scheme[] = ['identitypass', 'prembly-legacy', 'prembly-hmac'];

/** The sandbox key used when none is given. It signs nothing real. */
export const BUILTIN_TEST_KEY = 'test_pk_idpass0sandbox0key0not0for0production';

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

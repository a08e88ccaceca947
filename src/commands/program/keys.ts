/** The keys a command was given: refused when they cannot be right, and described without ever being shown. */

import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY, keyFingerprint } from '../../core/signing/schemes.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';
import type { SharedOptions } from './shared-flags.js';

/** Refuses keys that cannot be right and warns about ones that are probably not what was meant. */
export function checkPublicKey(key: string, io: IO, flag = '--public-key', variable = 'IDPASS_PUBLIC_KEY'): void {
  if (key.trim() === '' || /\s/.test(key)) {
    // an empty variable is how a missing CI secret arrives: name the variable, not a flag never typed
    const fromEnv = io.env[variable] !== undefined && io.env[variable] === key;
    throw new UsageError(
      fromEnv
        ? `${variable} is ${key.trim() === '' ? 'set but empty' : 'set with spaces in it'} (a CI secret that is missing arrives like this)`
        : `${flag} is empty or has spaces in it`,
      fromEnv
        ? `set ${variable} to your public key (test_pk_… or live_pk_…), or unset it to use the built-in test key`
        : 'copy the public key (test_pk_… or live_pk_…) from the Identitypass dashboard',
    );
  }
  if (/^(test|live)_sk_/.test(key)) {
    io.stderr.write(
      `warning: ${keyFingerprint(key)} looks like a secret key; Identitypass signs webhooks with the public key (test_pk_… / live_pk_…)\n`,
    );
  } else if (!/^(test|live)_pk_/.test(key)) {
    io.stderr.write('warning: that key does not look like an Identitypass public key (test_pk_… or live_pk_…)\n');
  }
}

/** Both keys checked: the sandbox one as given, the live one too when it is not the built-in stand-in. */
export function checkKeys(options: Pick<SharedOptions, 'publicKey' | 'livePublicKey'>, io: IO): void {
  checkPublicKey(options.publicKey, io);
  if (options.livePublicKey !== BUILTIN_LIVE_TEST_KEY)
    checkPublicKey(options.livePublicKey, io, '--live-public-key', 'IDPASS_LIVE_PUBLIC_KEY');
}

export function describeKey(key: string): string {
  if (key === BUILTIN_TEST_KEY) return 'built-in test key';
  if (key === BUILTIN_LIVE_TEST_KEY) return 'built-in test live key';
  return `key ${keyFingerprint(key)}`;
}

/** "sandbox key (built-in), live key live_pk_…abcd", for intros and headers. */
export function describeKeys(options: Pick<SharedOptions, 'publicKey' | 'livePublicKey'>): string {
  const short = (key: string) => (key === BUILTIN_TEST_KEY || key === BUILTIN_LIVE_TEST_KEY ? '(built-in)' : keyFingerprint(key));
  return `sandbox key ${short(options.publicKey)}, live key ${short(options.livePublicKey)}`;
}

import type { SignatureHint } from '../../core/delivery/signature-hints.js';

/** A signature hint in the CLI's words: core's sentence plus the flag that fixes it. */
export function signatureHintText(hint: SignatureHint): string {
  switch (hint.code) {
    case 'live-key':
      return `${hint.message}: pass --live-public-key live_pk_… (or set IDPASS_LIVE_PUBLIC_KEY)`;
    case 'other-key':
      return `${hint.message}: check --public-key and --live-public-key`;
    default:
      return hint.message;
  }
}

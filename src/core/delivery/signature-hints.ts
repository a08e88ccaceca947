import { isStaticScheme, type Scheme } from '../signing/schemes.js';
import { constantTimeEqual } from '../common/compare.js';
import { computeSignature } from '../signing/sign.js';
import type { VerifyResult } from '../signing/verify.js';
import { findEvent } from './catalog.js';

/** Why a signature came out as it did, when there is more to say than valid / invalid. */
export type SignatureHintCode = 'legacy-scheme' | 'live-key' | 'other-key' | 'trailing-newline' | 're-serialised';

export interface SignatureHint {
  code: SignatureHintCode;
  message: string;
}

export interface HintInput {
  body: Buffer;
  verification: VerifyResult;
  /** The parsed body, when it was JSON. */
  json: unknown;
  event: string | null;
  keys: string[];
}

/** Past this size or depth the re-serialised check is skipped: it stringifies the body (recursively) per key. */
const MAX_RESERIALISE_BYTES = 1024 * 1024;
const MAX_RESERIALISE_DEPTH = 200;

/** Whether no container in `value` is nested `limit` deep; iterative. */
function shallowerThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

function signedBy(value: string, scheme: Scheme, body: Buffer | string, keys: string[]): boolean {
  return keys.some((key) => constantTimeEqual(value, computeSignature(scheme, key, body)));
}

function trailingNewlineTrimmed(body: Buffer): Buffer | null {
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d)) end--;
  return end < body.length ? body.subarray(0, end) : null;
}

/**
 * The likely story behind a signature: a legacy static scheme, a body changed on the way (a newline
 * added, JSON re-serialised), or a delivery signed with the other of the merchant's two keys.
 */
export function signatureHint(
  { body, verification: v, json, event, keys }: HintInput,
  signatureValue: string | null,
): SignatureHint | null {
  if (v.scheme && isStaticScheme(v.scheme)) {
    return {
      code: 'legacy-scheme',
      message: `legacy ${v.scheme} scheme (the key itself, the same on every request): Prembly now sends base64 HMAC-SHA256 of the body in X-Prembly-Signature`,
    };
  }
  if (v.valid || v.reason !== 'body-mismatch' || signatureValue === null) return null;
  const trimmed = trailingNewlineTrimmed(body);
  if (trimmed && signedBy(signatureValue, 'prembly-hmac', trimmed, keys)) {
    return {
      code: 'trailing-newline',
      message: 'the signature matches the body without its trailing newline: a newline was added after signing',
    };
  }
  if (json !== undefined && body.length <= MAX_RESERIALISE_BYTES && shallowerThan(json, MAX_RESERIALISE_DEPTH)) {
    for (const text of [JSON.stringify(json), JSON.stringify(json, null, 2), JSON.stringify(json, null, 4)]) {
      if (text !== body.toString('utf8') && signedBy(signatureValue, 'prembly-hmac', text, keys)) {
        return {
          code: 're-serialised',
          message:
            'the signature matches the same JSON written another way: the body was re-serialised after signing; verify the raw bytes',
        };
      }
    }
  }
  const info = event ? findEvent(event) : undefined;
  if (info?.signedWith === 'live') {
    return {
      code: 'live-key',
      message: `Prembly signs ${info.name} with your live public key (live_pk_…), even from sandbox: this delivery was probably signed with your live key`,
    };
  }
  return {
    code: 'other-key',
    message:
      'the signature matches neither key: a live-mode delivery is signed with the live public key, a sandbox one with the sandbox key',
  };
}

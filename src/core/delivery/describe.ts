import { detectScheme, readHeader } from '../signing/headers.js';
import { SCHEMES, type Scheme } from '../signing/schemes.js';
import { verify } from '../signing/verify.js';
import { classify } from './classify.js';
import { signatureHint } from './signature-hints.js';
import type { Delivery } from './types.js';

/**
 * What a request is, from its method, path, headers and raw bytes: the signature checked over
 * those bytes, the JSON parsed after, the body classified. The listener, `idpass verify` and
 * `idpass events show` all explain deliveries through this one function.
 */
export interface DescribeInput extends Pick<Delivery, 'id' | 'receivedAt' | 'method' | 'path' | 'headers' | 'body'> {
  /** The declared size when the body was not read. */
  size?: number;
  /** The sandbox public key (or the one key known). */
  publicKey: string;
  /** The live public key, tried second. */
  livePublicKey?: string;
  /** The scheme the user said to expect; another one gets a note. */
  expectedScheme?: Scheme;
}

export function describeDelivery(input: DescribeInput): Delivery {
  const { headers, body } = input;
  const tooLarge = body === null;
  const raw = body ?? Buffer.alloc(0);
  const verification = verify({ body: raw, headers, publicKey: input.publicKey, livePublicKey: input.livePublicKey, schemes: SCHEMES });
  let json: unknown;
  let jsonError: string | null = null;
  if (!tooLarge) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      jsonError = raw.length === 0 ? 'the body is empty' : `the body is not JSON: ${(error as Error).message}`;
    }
  }
  const notes: string[] = [];
  const contentType = readHeader(headers, 'content-type');
  if (!contentType) notes.push('no content-type header (Identitypass sends application/json)');
  else if (!/^application\/json\b/i.test(contentType)) notes.push(`content-type is ${contentType} (Identitypass sends application/json)`);
  if (input.method !== 'POST') notes.push(`method ${input.method} (Identitypass sends POST)`);
  const expected = input.expectedScheme;
  const classification = classify(json);
  const keys = [input.publicKey, ...(input.livePublicKey ? [input.livePublicKey] : [])];
  const signatureValue = verification.scheme ? (detectScheme(headers)?.value ?? null) : null;
  const hint = tooLarge
    ? null
    : safely(() => signatureHint({ body: raw, verification, json, event: classification.event, keys }, signatureValue), null);
  return {
    id: input.id,
    receivedAt: input.receivedAt,
    method: input.method,
    path: input.path,
    headers,
    body,
    size: body?.length ?? input.size ?? 0,
    json,
    jsonError,
    tooLarge,
    verification,
    schemeNote:
      expected && verification.scheme && verification.scheme !== expected
        ? `signed with ${verification.scheme}, not the configured ${expected}`
        : null,
    duplicate: false,
    classification,
    signatureHint: hint,
    ignored: false,
    notes,
    stored: false,
    forward: null,
    answerStatus: null,
  };
}

/** An explanation is never worth losing a delivery over: on any failure, go without it. */
function safely<T>(explain: () => T, fallback: T): T {
  try {
    return explain();
  } catch {
    return fallback;
  }
}

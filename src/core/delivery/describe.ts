import { brotliDecompressSync, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { detectScheme, readHeader, type HeaderInput } from '../signing/headers.js';
import { IDENTITYPASS_SIGNATURE_HEADER, PREMBLY_SIGNATURE_HEADER, SCHEMES, TOKEN_HEADER, type Scheme } from '../signing/schemes.js';
import { verify } from '../signing/verify.js';
import { classify, type Classification } from './classify.js';
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

const MAX_DECODED_BYTES = 64 * 1024 * 1024;
const DECODERS: Record<string, (data: Buffer, options: ZlibOptions) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** The body as text for parsing: decoded when it came compressed (bounded). The signature is checked over the bytes received, never these. */
export function decodedBody(
  raw: Buffer,
  encoding: string | undefined,
  notes: string[] = [],
): { text: string | null; error: string | null } {
  const name = encoding?.trim().toLowerCase();
  if (!name || name === 'identity') return { text: raw.toString('utf8'), error: null };
  const decode = DECODERS[name];
  if (!decode) return { text: null, error: `the body is encoded as "${name}", which idpass cannot decode` };
  notes.push(
    `the body came ${name}-compressed (Identitypass does not compress): the signature was checked over the compressed bytes; shown decoded`,
  );
  try {
    return { text: decode(raw, { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8'), error: null };
  } catch (error) {
    return { text: null, error: `the ${name} body could not be decoded: ${(error as Error).message}` };
  }
}

/** What the body says, apart from the signature: parsed (decoded first when compressed) and classified. */
export interface ParsedBody {
  json: unknown;
  jsonError: string | null;
  classification: Classification;
  /** Notes about the body itself (it came compressed). */
  notes: string[];
  /** How long the text parsed was (decoded, when it came compressed): what holding `json` costs. */
  textLength: number;
  /** Parsed and classified on a worker thread: the body was JSON, but the parsed body was not kept. */
  deferred?: boolean;
}

/**
 * Parses and classifies a body: enough to route a delivery (which event, whether it can be
 * forwarded) before its signature is checked. `body` null means it was refused unread (too large).
 */
export function parseBody(body: Buffer | null, headers: HeaderInput): ParsedBody {
  const notes: string[] = [];
  let json: unknown;
  let jsonError: string | null = null;
  let textLength = 0;
  if (body !== null) {
    const { text, error } = decodedBody(body, readHeader(headers, 'content-encoding'), notes);
    textLength = text?.length ?? 0;
    if (error) jsonError = error;
    else {
      try {
        json = JSON.parse(text!);
      } catch (parseError) {
        jsonError = body.length === 0 ? 'the body is empty' : `the body is not JSON: ${(parseError as Error).message.slice(0, 200)}`;
      }
    }
  }
  return { json, jsonError, notes, textLength, classification: safely(() => classify(json), classify(undefined)) };
}

/** `parsed` is the body's parseBody result when the caller already has it. */
export function describeDelivery(input: DescribeInput & { parsed?: ParsedBody }): Delivery {
  const { headers, body } = input;
  const tooLarge = body === null;
  const raw = body ?? Buffer.alloc(0);
  let verification = verify({ body: raw, headers, publicKey: input.publicKey, livePublicKey: input.livePublicKey, schemes: SCHEMES });
  if (tooLarge && verification.scheme) {
    verification = {
      ...verification,
      valid: false,
      reason: 'body-not-read',
      message: 'not checked: the body was over the size limit and was not read',
    };
  }
  const { json, jsonError, classification, notes: bodyNotes, textLength, deferred } = input.parsed ?? parseBody(body, headers);
  const notes = [...bodyNotes];
  const contentType = readHeader(headers, 'content-type');
  if (!contentType) notes.push('no content-type header (Identitypass sends application/json)');
  else if (!/^application\/json\b/i.test(contentType)) notes.push(`content-type is ${contentType} (Identitypass sends application/json)`);
  if (input.method !== 'POST') notes.push(`method ${input.method} (Identitypass sends POST)`);
  for (const name of [PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER]) {
    const count = headers.filter(([n]) => n.toLowerCase() === name).length;
    if (count > 1) notes.push(`${name} appears ${count} times: the first one is used`);
  }
  if (headers.length > 100) notes.push(`${headers.length} headers (Identitypass sends a handful)`);
  const expected = input.expectedScheme;
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
    size: input.size ?? body?.length ?? 0,
    json,
    decodedLength: textLength,
    ...(deferred ? { jsonDeferred: true } : {}),
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
    otherForwards: [],
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

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_NAMES, findEvent, isProduct, suggestNames, type EventInfo, type Product } from './events.js';
import { loadFixture } from './fixtures.js';
import { getPath, setPath, unsetPath, PathError } from './json-path.js';
import { BUILTIN_TEST_KEY, computeSignature, isStaticScheme, sign, signatureHeaderFor, type Scheme, type TamperKind } from './signing.js';
import { parseStatusExpectation, type StatusExpectation } from './units.js';
import { SendError, sendRequest, type SendFailureKind } from './http-send.js';

export { TAMPER_KINDS, type TamperKind } from './schemes.js';

import { DEFAULT_TRIGGER_URL, IDENTITYPASS_TIMEOUT_MS } from './defaults.js';

/** Something in the trigger request itself is wrong; the message says how to fix it. */
export class TriggerInputError extends Error {
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message);
    this.name = 'TriggerInputError';
  }
}

export interface TriggerOptions {
  event: string;
  url?: URL | string;
  product?: Product | string;
  /** `--set` assignments, applied in order. */
  set?: { path: string; value: unknown }[];
  unset?: string[];
  /** Raw bytes of a JSON body to send instead of the fixture. */
  data?: Uint8Array;
  scheme?: Scheme;
  publicKey?: string;
  pendingFirst?: boolean;
  delayMs?: number;
  tamper?: TamperKind;
  expect?: StatusExpectation | string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type DeliveryRole = 'single' | 'pending' | 'final' | 'original' | 'replay' | 'resend';

export interface PlannedDelivery {
  event: string;
  role: DeliveryRole;
  body: Buffer;
  headers: Record<string, string | string[]>;
  token: string;
  reference: string | null;
  expect: StatusExpectation;
  delayBeforeMs: number;
  tamper: TamperKind | null;
}

export interface DeliveryResult {
  event: string;
  role: DeliveryRole;
  tamper: TamperKind | null;
  reference: string | null;
  token: string;
  url: string;
  status: number | null;
  ok: boolean;
  ms: number;
  expected: string;
  /** The first bytes of the receiver's reply, for failures. */
  reply: string | null;
  error: { kind: SendFailureKind; code: string | null; message: string; connected: boolean } | null;
  /** What to do about a failure, in Identitypass's terms. */
  hint: string | null;
}

const WRONG_KEY = 'test_pk_idpass0tampered0wrong0key';

function resolveEvent(name: string): EventInfo {
  const info = findEvent(name);
  if (info) return info;
  const close = suggestNames(name, EVENT_NAMES);
  throw new TriggerInputError(
    `unknown event "${name}"` + (close.length ? `; did you mean ${close.join(', ')}?` : '') + ' (idpass trigger --list shows them all)',
    close,
  );
}

function parseDataBody(data: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    throw new TriggerInputError(`--data is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TriggerInputError('--data must hold a JSON object, the way Identitypass bodies are');
  }
  return parsed as Record<string, unknown>;
}

function applyEdits(body: Record<string, unknown>, options: TriggerOptions): void {
  try {
    for (const { path, value } of options.set ?? []) setPath(body, path, value);
    for (const path of options.unset ?? []) {
      if (!unsetPath(body, path)) throw new PathError(`--unset ${path}: the body has no such field`);
    }
  } catch (error) {
    if (error instanceof PathError) throw new TriggerInputError(error.message);
    throw error;
  }
}

function defaultExpectation(info: EventInfo, tamper: TamperKind | undefined): StatusExpectation {
  if (tamper) return parseStatusExpectation('4xx');
  // Identitypass counts only an exact 200 as delivered, except for workflow runs, which take any 2xx.
  return parseStatusExpectation(info.name.startsWith('workflow.') ? '2xx' : '200');
}

function referenceOf(body: Record<string, unknown>, info: EventInfo): string | null {
  const value = getPath(body, info.referencePath);
  return typeof value === 'string' ? value : null;
}

/**
 * Works out every request a trigger sends, signed and in order, without sending anything.
 * Throws TriggerInputError for requests that make no sense.
 */
export function planTrigger(options: TriggerOptions): PlannedDelivery[] {
  const info = resolveEvent(options.event);
  const scheme = options.scheme ?? 'identitypass';
  const publicKey = options.publicKey ?? BUILTIN_TEST_KEY;
  const { tamper, pendingFirst } = options;

  let product: Product | undefined;
  if (options.product !== undefined) {
    if (!isProduct(options.product)) {
      throw new TriggerInputError(`unknown product "${options.product}"; use one of bvn, nin, passport, drivers-license, voters-card, face, document`);
    }
    if (options.data) throw new TriggerInputError('--product and --data do not go together: --data sends your file as it is');
    if (!info.usesProduct) {
      throw new TriggerInputError(`--product shapes direct-API verification bodies only; ${info.name} has its own shape (change it with --set)`);
    }
    product = options.product;
  }
  if (pendingFirst && !info.canFollowPending) {
    throw new TriggerInputError(`--pending-first sends a pending result and then its final one: use it with verification.completed or verification.failed, not ${info.name}`);
  }
  if (pendingFirst && tamper) throw new TriggerInputError('--pending-first and --tamper do not go together: run them separately');
  if (tamper === 'body' && isStaticScheme(scheme)) {
    throw new TriggerInputError(
      `--tamper body needs --scheme prembly-hmac: the ${scheme} scheme does not sign the body, so no receiver can notice a changed one`,
    );
  }
  const expect =
    options.expect === undefined
      ? defaultExpectation(info, tamper)
      : typeof options.expect === 'string'
        ? parseStatusExpectation(options.expect)
        : options.expect;

  const edited = options.set?.length || options.unset?.length;
  const body = options.data ? parseDataBody(options.data) : loadFixture(info.name, { product });
  applyEdits(body, options);
  // --data without edits goes out byte for byte as the file has it.
  const bytes = options.data && !edited ? Buffer.from(options.data) : Buffer.from(JSON.stringify(body));
  const reference = referenceOf(body, info);

  const signed = (payload: Buffer, token = randomUUID()) => sign({ body: payload, publicKey, scheme, token });

  if (pendingFirst) {
    const ref = reference ?? randomUUID();
    if (reference === null) setPath(body, info.referencePath, ref);
    body.is_callback_retry = true;
    const finalBytes = Buffer.from(JSON.stringify(body));
    const pending = loadFixture('verification.pending', { product, reference: ref });
    if (typeof body.endpoint_name === 'string') pending.endpoint_name = body.endpoint_name;
    if (body.request_data !== undefined) pending.request_data = body.request_data;
    const pendingBytes = Buffer.from(JSON.stringify(pending));
    const first = signed(pendingBytes);
    const second = signed(finalBytes);
    return [
      { event: 'verification.pending', role: 'pending', body: pendingBytes, headers: first.headers, token: first.token, reference: ref, expect, delayBeforeMs: 0, tamper: null },
      { event: info.name, role: 'final', body: finalBytes, headers: second.headers, token: second.token, reference: ref, expect, delayBeforeMs: options.delayMs ?? 2000, tamper: null },
    ];
  }

  const { headers, token } = signed(bytes);
  const one = (overrides: Partial<PlannedDelivery>): PlannedDelivery => ({
    event: info.name,
    role: 'single',
    body: bytes,
    headers,
    token,
    reference,
    expect,
    delayBeforeMs: 0,
    tamper: tamper ?? null,
    ...overrides,
  });

  switch (tamper) {
    case undefined:
      return [one({})];
    case 'signature': {
      const header = signatureHeaderFor(scheme);
      return [one({ headers: { ...headers, [header]: computeSignature(scheme, WRONG_KEY, bytes) } })];
    }
    case 'body': {
      const changed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      changed.tampered_by = 'idpass';
      return [one({ body: Buffer.from(JSON.stringify(changed)) })];
    }
    case 'missing-signature': {
      const header = signatureHeaderFor(scheme);
      const { [header]: _dropped, ...rest } = headers;
      return [one({ headers: rest })];
    }
    case 'replay':
      return [
        one({ role: 'original', expect: defaultExpectation(info, undefined), tamper: null }),
        one({ role: 'replay' }),
      ];
  }
}

function replyPreview(body: Buffer, truncated: boolean, max = 300): string {
  const text = body.subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
  return text + (body.length > max || truncated ? '…' : '');
}

const TAMPER_WORDS: Record<TamperKind, string> = {
  signature: 'a wrong signature',
  body: 'a body changed after signing',
  'missing-signature': 'no signature header',
  replay: 'a token it had already seen',
};

/** Why a delivery that did not meet its expectation matters, and what to look at. */
export function explainFailure(result: Omit<DeliveryResult, 'hint'>, timeoutMs: number): string | null {
  if (result.ok) return null;
  const { error, status } = result;
  if (error) {
    if (error.kind === 'timeout') {
      return timeoutMs >= IDENTITYPASS_TIMEOUT_MS
        ? 'Identitypass waits 10 s for a reply and then counts the delivery as failed: answer first, work later'
        : `the receiver took longer than --timeout ${timeoutMs}ms (Identitypass itself waits 10 s)`;
    }
    if (error.kind === 'refused') return 'is your app running on that port? (idpass listen serves the default URL)';
    if (error.kind === 'dns') return 'check the host name in --to';
    if (error.kind === 'reset') return 'the receiver dropped the connection: look for a crash in its logs';
    return null;
  }
  if (status === null) return null;
  if (result.tamper) {
    if (status >= 200 && status < 300) {
      return result.tamper === 'replay'
        ? 'the receiver accepted a token it had already seen: track token values and refuse repeats'
        : `the receiver accepted ${TAMPER_WORDS[result.tamper]}: it must answer 401 when the signature is missing or wrong`;
    }
    return `expected ${result.expected} for ${TAMPER_WORDS[result.tamper]}`;
  }
  if (status >= 300 && status < 400) return 'Identitypass does not follow redirects: a 3xx is a failed delivery. Point --to at the final URL';
  if (status === 401 || status === 403) {
    return 'the receiver rejected a correctly signed delivery: does it verify the raw body bytes with the same --public-key and --scheme?';
  }
  if (status === 404) return 'nothing handles that path: check the path in --to';
  if (status === 413) return 'the receiver refused the body size: identity bodies carry base64 photos and can be large';
  if (status >= 500) return 'the handler failed; Identitypass retries only workflow and SDK deliveries, everything else is lost';
  if (status >= 200 && status < 300) {
    return 'Identitypass treats anything but 200 as a failed delivery (workflow deliveries accept any 2xx)';
  }
  return 'Identitypass treats anything but 200 as a failed delivery';
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

async function deliver(planned: PlannedDelivery, url: URL, { timeoutMs = IDENTITYPASS_TIMEOUT_MS, signal }: RunOptions): Promise<DeliveryResult> {
  const base = {
    event: planned.event,
    role: planned.role,
    tamper: planned.tamper,
    reference: planned.reference,
    token: planned.token,
    url: url.href,
    expected: planned.expect.text,
  };
  let result: Omit<DeliveryResult, 'hint'>;
  try {
    const reply = await sendRequest({ url, headers: planned.headers, body: planned.body, timeoutMs, signal });
    const ok = planned.expect.matches(reply.status);
    result = { ...base, status: reply.status, ok, ms: reply.ms, reply: ok ? null : replyPreview(reply.body, reply.truncated), error: null };
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    result = {
      ...base,
      status: null,
      ok: false,
      ms: error.ms,
      reply: null,
      error: { kind: error.kind, code: error.code ?? null, message: error.message, connected: error.connected },
    };
  }
  return { ...result, hint: explainFailure(result, timeoutMs) };
}

/**
 * Sends the planned deliveries one after another, yielding each result as it lands. Stops early
 * when the receiver cannot be reached at all or the signal aborts.
 */
export async function* sendPlanned(planned: PlannedDelivery[], url: URL, options: RunOptions = {}): AsyncGenerator<DeliveryResult> {
  for (const delivery of planned) {
    if (delivery.delayBeforeMs > 0) {
      try {
        await sleep(delivery.delayBeforeMs, undefined, { signal: options.signal });
      } catch {
        return;
      }
    }
    if (options.signal?.aborted) return;
    const result = await deliver(delivery, url, options);
    yield result;
    if (result.error && (!result.error.connected || result.error.kind === 'aborted')) return;
  }
}

/** Library entry point: plans, sends and collects every delivery of a trigger. */
export async function trigger(options: TriggerOptions): Promise<DeliveryResult[]> {
  const planned = planTrigger(options);
  const url = typeof options.url === 'string' ? new URL(options.url) : (options.url ?? new URL(DEFAULT_TRIGGER_URL));
  const results: DeliveryResult[] = [];
  for await (const result of sendPlanned(planned, url, options)) results.push(result);
  return results;
}

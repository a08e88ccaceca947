import { randomUUID } from 'node:crypto';
import { CoreError } from '../common/errors.js';
import { EVENT_NAMES, findEvent, isProduct, type EventInfo, type Product } from '../delivery/catalog.js';
import { deliveredStatus, parseStatusExpectation, type StatusExpectation } from '../delivery/rules.js';
import { suggestNames } from '../delivery/suggest.js';
import {
  BUILTIN_LIVE_TEST_KEY,
  BUILTIN_TEST_KEY,
  isStaticScheme,
  signatureHeaderFor,
  type KeyKind,
  type Scheme,
} from '../signing/schemes.js';
import { computeSignature, sign } from '../signing/sign.js';
import { getPath, PathError, setPath, unsetPath } from './body-edits.js';
import { TriggerError } from './errors.js';
import { LEGACY_SHAPES, loadFixture } from './fixtures.js';
import { planPendingPair } from './pending.js';
import type { PlannedDelivery, Signer, TriggerOptions } from './types.js';
import type { TamperKind } from './tamper.js';

const WRONG_KEY = 'test_pk_idpass0tampered0wrong0key';

function resolveEvent(name: string): EventInfo {
  const info = findEvent(name);
  if (info) return info;
  const close = suggestNames(name, EVENT_NAMES);
  throw new TriggerError('unknown-event', `unknown event "${name}"`, { event: name, suggestions: close });
}

function parseDataBody(data: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    throw new TriggerError('data-not-json', `the body is not valid JSON: ${(error as Error).message}`, {
      detail: (error as Error).message,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TriggerError('data-not-object', 'the body must be a JSON object, the way Identitypass bodies are');
  }
  return parsed as Record<string, unknown>;
}

function applyEdits(body: Record<string, unknown>, options: TriggerOptions): void {
  try {
    for (const { path, value } of options.set ?? []) setPath(body, path, value);
    for (const path of options.unset ?? []) {
      if (!unsetPath(body, path))
        throw new TriggerError('unset-missing-field', `cannot remove ${path}: the body has no such field`, { path });
    }
  } catch (error) {
    if (error instanceof PathError) throw new TriggerError('bad-edit', error.message, { detail: error.message });
    throw error;
  }
}

function defaultExpectation(info: EventInfo, tamper: TamperKind | undefined): StatusExpectation {
  return tamper && tamper !== 'replay' ? parseStatusExpectation('4xx') : deliveredStatus(info.name);
}

export function expectationFrom(text: string): StatusExpectation {
  try {
    return parseStatusExpectation(text);
  } catch (error) {
    if (error instanceof CoreError) throw new TriggerError('bad-status-expectation', error.message, { detail: text });
    throw error;
  }
}

export function referenceOf(body: Record<string, unknown>, info: EventInfo): string | null {
  const value = getPath(body, info.referencePath);
  return typeof value === 'string' ? value : null;
}

/** Refuses option combinations that make no sense; returns the product record shape, if any. */
function checkRequest(info: EventInfo, scheme: Scheme, options: TriggerOptions): Product | undefined {
  const { tamper, pendingFirst } = options;
  let product: Product | undefined;
  if (options.product !== undefined) {
    if (!isProduct(options.product)) {
      throw new TriggerError('unknown-product', `unknown product "${options.product}"`, { product: options.product });
    }
    if (options.data) throw new TriggerError('product-with-data', 'a product record shape and a body of your own do not go together');
    if (!info.usesProduct) {
      throw new TriggerError(
        'product-not-applicable',
        `product record shapes apply to direct-API verification bodies only; ${info.name} has its own shape`,
        {
          event: info.name,
        },
      );
    }
    product = options.product;
  }
  if (pendingFirst && !info.canFollowPending) {
    throw new TriggerError(
      'pending-not-applicable',
      `a pending result can only precede verification.completed or verification.failed, not ${info.name}`,
      {
        event: info.name,
      },
    );
  }
  if (pendingFirst && tamper)
    throw new TriggerError('pending-with-tamper', 'a pending-first pair and a tampered delivery do not go together');
  if (!pendingFirst && (options.pendingVia !== undefined || options.pendingTo !== undefined || options.pendingReason !== undefined)) {
    throw new TriggerError('pending-option-alone', 'how the pending step is sent only matters for a pending-first pair');
  }
  if (options.pendingTo !== undefined && options.pendingVia !== 'api') {
    throw new TriggerError('pending-to-needs-api', 'a separate target for the pending step applies only when it is the API’s answer');
  }
  if (options.shape === 'legacy') {
    if (!LEGACY_SHAPES.includes(info.name)) {
      throw new TriggerError('shape-not-available', `${info.name} has no legacy shape (${LEGACY_SHAPES.join(', ')} do)`, {
        event: info.name,
      });
    }
    if (options.data) throw new TriggerError('shape-with-data', 'a legacy shape and a body of your own do not go together');
  }
  if (tamper === 'body' && isStaticScheme(scheme)) {
    throw new TriggerError(
      'tamper-body-static-scheme',
      `the ${scheme} scheme does not sign the body, so no receiver can notice a changed one`,
      { scheme },
    );
  }
  return product;
}

/**
 * Works out every request a trigger sends, signed and in order, without sending anything.
 * Throws TriggerError for requests that make no sense.
 */
export function planTrigger(options: TriggerOptions): PlannedDelivery[] {
  const info = resolveEvent(options.event);
  const scheme = options.scheme ?? 'prembly-hmac';
  const { tamper } = options;
  const product = checkRequest(info, scheme, options);
  const expect =
    options.expect === undefined
      ? defaultExpectation(info, tamper)
      : typeof options.expect === 'string'
        ? expectationFrom(options.expect)
        : options.expect;

  const edited = options.set?.length || options.unset?.length;
  const body = options.data ? parseDataBody(options.data) : loadFixture(info.name, { product, shape: options.shape });
  if (options.reference !== undefined) setPath(body, info.referencePath, options.reference);
  applyEdits(body, options);
  // a body of the caller's own, unedited, goes out byte for byte
  const bytes = options.data && !edited && options.reference === undefined ? Buffer.from(options.data) : Buffer.from(JSON.stringify(body));
  const signer = signerFor(options, scheme);

  if (options.pendingFirst)
    return planPendingPair({ info, body, product, options, signer, expect: options.expect === undefined ? null : expect });

  const key = options.key ?? info.signedWith;
  const { headers, token } = signer(bytes, key);
  const one = (overrides: Partial<PlannedDelivery>): PlannedDelivery => ({
    event: info.name,
    role: 'single',
    body: bytes,
    headers,
    token,
    reference: referenceOf(body, info),
    expect,
    delayBeforeMs: 0,
    tamper: tamper ?? null,
    key,
    send: 'post',
    followRedirects: info.followsRedirects,
    note: info.notSent,
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
    case 'replay': {
      // Prembly asks handlers to be idempotent: 200 to a repeat is right, a 4xx passes with a warning
      const replayExpect = options.expect === undefined ? expectationFrom(`${deliveredStatus(info.name).text},4xx`) : expect;
      return [
        one({ role: 'original', expect: deliveredStatus(info.name), tamper: null }),
        one({ role: 'replay', expect: replayExpect, preferred: options.expect === undefined ? deliveredStatus(info.name) : undefined }),
      ];
    }
  }
}

/** Signs with the sandbox or live key, as asked, under the chosen scheme and a fresh token. */
function signerFor(options: TriggerOptions, scheme: Scheme): Signer {
  const keys: Record<KeyKind, string> = {
    sandbox: options.publicKey ?? BUILTIN_TEST_KEY,
    live: options.livePublicKey ?? BUILTIN_LIVE_TEST_KEY,
  };
  return (payload, key) => sign({ body: payload, publicKey: keys[key], scheme, token: randomUUID() });
}

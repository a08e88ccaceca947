import type { PlannedDelivery } from '../../core/trigger/types.js';
import type { StatusExpectation } from '../../core/delivery/rules.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';
import { type SharedOptions } from '../program/shared-flags.js';
import { checkKeys, describeKey } from '../program/keys.js';
import { sendAndReport } from '../steps/send-and-report.js';
import { maskUrl } from '../../core/http/url.js';
import { lookup } from './store-access.js';

export interface ResendOptions extends SharedOptions {
  to?: URL;
  resign?: boolean;
  expectStatus?: StatusExpectation;
  timeout: number;
  /** Whether --public-key or --scheme was given (they only matter with --resign). */
  keyGiven: boolean;
}

/** `idpass events resend <id>`: the original bytes and headers again, or re-signed. */
export async function runResend(id: string, options: ResendOptions, io: IO): Promise<number> {
  const { record } = await lookup(id, io);
  if (record.body === null) throw new UsageError(`${record.id} was refused unread (larger than --max-body): there are no bytes to resend`);
  // by default, every target listen forwarded it to
  const targets = options.to
    ? [options.to]
    : (record.forwardTargets ?? (record.forwardTo ? [record.forwardTo] : [])).map((t) => new URL(t));
  const to = targets[0];
  if (!to) throw new UsageError(`${record.id} was not forwarded anywhere, so there is no default target`, 'pass --to <url>');
  if (options.keyGiven && !options.resign) {
    io.stderr.write('note: --public-key and --scheme only matter with --resign; the original signature is sent as it was\n');
  }
  if (options.resign) checkKeys(options, io);
  const { findEvent } = await import('../../core/delivery/catalog.js');
  const info = record.event ? findEvent(record.event) : undefined;
  const key = info?.signedWith ?? 'sandbox';
  const { parseStatusExpectation } = await import('../../core/delivery/rules.js');
  const body = Buffer.from(record.body, 'base64');
  const { headers, token } = await resendHeaders(record, body, options, key);
  const how = options.resign
    ? `re-signed: ${options.scheme}, the ${key} key (${describeKey(key === 'live' ? options.livePublicKey : options.publicKey)}), new token`
    : 'original bytes and headers';
  const planned = targets.map((url) =>
    resendPlan(record, { body, headers, token, url, info, key, options, expect: parseStatusExpectation('200') }),
  );
  return sendAndReport(planned, to, {
    io,
    json: Boolean(options.json),
    color: options.color,
    timeoutMs: options.timeout,
    keys: { publicKey: options.publicKey, livePublicKey: options.livePublicKey },
    intro: `Resending ${record.id} to ${targets.map(maskUrl).join(', ')} (${how})`,
  });
}

/** The original headers and token, or (with --resign) the same headers with a fresh signature and token. */
async function resendHeaders(
  record: { headers: [string, string][] },
  body: Buffer,
  options: ResendOptions,
  key: 'sandbox' | 'live',
): Promise<{ headers: Record<string, string | string[]>; token: string }> {
  const { forwardableHeaders } = await import('../../core/http/forward.js');
  const { readHeader } = await import('../../core/signing/headers.js');
  const { TOKEN_HEADER, isProtectedHeader } = await import('../../core/signing/schemes.js');
  const original = forwardableHeaders(record.headers);
  if (!options.resign) return { headers: original, token: readHeader(record.headers, TOKEN_HEADER) ?? '' };
  const { sign } = await import('../../core/signing/sign.js');
  const kept = Object.fromEntries(Object.entries(original).filter(([name]) => !isProtectedHeader(name)));
  const signed = sign({ body, publicKey: key === 'live' ? options.livePublicKey : options.publicKey, scheme: options.scheme });
  const { 'content-type': contentType, ...signature } = signed.headers;
  const type: Record<string, string> = readHeader(record.headers, 'content-type') ? {} : { 'content-type': contentType! };
  return { headers: { ...type, ...kept, ...signature }, token: signed.token };
}

/** One resend as a planned delivery: the original event and reference, to one target. */
function resendPlan(
  record: { event: string | null; reference: string | null },
  p: {
    body: Buffer;
    headers: Record<string, string | string[]>;
    token: string;
    url: URL;
    info: { followsRedirects: boolean } | undefined;
    key: 'sandbox' | 'live';
    options: ResendOptions;
    expect: StatusExpectation;
  },
): PlannedDelivery {
  return {
    event: record.event ?? 'unrecognised body',
    role: 'resend',
    body: p.body,
    headers: p.headers,
    token: p.token,
    reference: record.reference,
    expect: p.options.expectStatus ?? p.expect,
    delayBeforeMs: 0,
    tamper: null,
    key: p.options.resign ? p.key : null,
    send: 'post',
    followRedirects: p.info?.followsRedirects ?? true,
    note: null,
    url: p.url,
  };
}

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
  const { forwardableHeaders } = await import('../../core/http/forward.js');
  const { readHeader } = await import('../../core/signing/headers.js');
  const { sign } = await import('../../core/signing/sign.js');
  const { PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER } = await import('../../core/signing/schemes.js');
  const { parseStatusExpectation } = await import('../../core/delivery/rules.js');
  const body = Buffer.from(record.body, 'base64');
  let headers = forwardableHeaders(record.headers);
  let token = readHeader(record.headers, TOKEN_HEADER) ?? '';
  if (options.resign) {
    const replaced = new Set([PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER]);
    headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !replaced.has(name.toLowerCase())));
    const publicKey = key === 'live' ? options.livePublicKey : options.publicKey;
    const signed = sign({ body, publicKey, scheme: options.scheme });
    const { 'content-type': contentType, ...signature } = signed.headers;
    headers = { ...(readHeader(record.headers, 'content-type') ? {} : { 'content-type': contentType! }), ...headers, ...signature };
    token = signed.token;
  }
  const how = options.resign
    ? `re-signed: ${options.scheme}, the ${key} key (${describeKey(key === 'live' ? options.livePublicKey : options.publicKey)}), new token`
    : 'original bytes and headers';
  return sendAndReport(
    targets.map((url) => ({
      event: record.event ?? 'unrecognised body',
      role: 'resend' as const,
      body,
      headers,
      token,
      reference: record.reference,
      expect: options.expectStatus ?? parseStatusExpectation('200'),
      delayBeforeMs: 0,
      tamper: null,
      key: options.resign ? key : null,
      send: 'post' as const,
      followRedirects: info?.followsRedirects ?? true,
      note: null,
      url,
    })),
    to,
    {
      io,
      json: Boolean(options.json),
      color: options.color,
      timeoutMs: options.timeout,
      intro: `Resending ${record.id} to ${targets.map(maskUrl).join(', ')} (${how})`,
    },
  );
}

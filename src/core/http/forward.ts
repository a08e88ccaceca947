/** Passing a delivery to the developer's app: the exact bytes, the same headers, no redirects. */

import http from 'node:http';
import https from 'node:https';
import { SendError, sendRequest, type SendFailureKind } from './send.js';
import { maskUrl } from './url.js';

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus those the new hop sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** Header pairs (wire order, original casing) to forward, with hop-by-hop ones dropped. */
export function forwardableHeaders(pairs: [string, string][]): Record<string, string | string[]> {
  // headers the sender's Connection header names are hop-by-hop too
  const connectionListed = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === 'connection') for (const token of value.split(',')) connectionListed.add(token.trim().toLowerCase());
  }
  // no prototype: a header named __proto__ or constructor is a header like any other
  const out: Record<string, string | string[]> = Object.create(null);
  // a repeated header keeps the casing of its first appearance
  const casing = new Map<string, string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed.has(lower)) continue;
    const key = casing.get(lower) ?? name;
    casing.set(lower, key);
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** setTimeout's longest wait (~24.8 days): "no limit" for a developer stopped at a breakpoint. */
const NO_LIMIT_MS = 2_147_483_647;

/** The forwarded headers with the extra ones added, each replacing any header of the same name. */
export function withExtraHeaders(
  headers: Record<string, string | string[]>,
  extra: readonly [string, string][],
): Record<string, string | string[]> {
  if (extra.length === 0) return headers;
  const out: Record<string, string | string[]> = Object.create(null);
  const replaced = new Set(extra.map(([name]) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) if (!replaced.has(name.toLowerCase())) out[name] = value;
  for (const [name, value] of extra) {
    const existing = out[name];
    out[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** What the app answered to a forwarded request, or why it did not. */
export interface ForwardReply {
  url: string;
  /** The app's status, or 502 / 504 when it could not answer. */
  status: number;
  /** Whether the app itself answered (false: unreachable or timed out). */
  answered: boolean;
  ms: number;
  contentType: string | null;
  /** The app's reply as it will be passed back to the sender. */
  body: Buffer;
  /** The first 1,000 characters of the reply, as Identitypass keeps them. */
  preview: string;
  error: { kind: SendFailureKind; message: string } | null;
}

export interface ForwarderOptions {
  target: URL;
  /** How long the app may take; null waits as long as it takes (a breakpoint). */
  timeoutMs: number | null;
  /** Added to every forwarded request, replacing a header of the same name. */
  headers?: readonly [string, string][];
  /** Accept a self-signed (or otherwise untrusted) certificate on an HTTPS target. */
  insecure?: boolean;
  /** Longest app reply passed back to the sender. */
  maxReplyBytes?: number;
}

export class Forwarder {
  private readonly agent: http.Agent;
  private readonly maskedTarget: string;

  constructor(private readonly options: ForwarderOptions) {
    this.maskedTarget = maskUrl(options.target);
    this.agent =
      options.target.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  get target(): URL {
    return this.options.target;
  }

  /** The URL for a delivery that arrived at `path`: the target's path, plus the query the sender used. Never changes the target. */
  urlFor(path: string): URL {
    const query = path.indexOf('?');
    if (query < 0 || this.options.target.search) return this.options.target;
    const url = new URL(this.options.target);
    url.search = path.slice(query);
    return url;
  }

  async forward(path: string, headers: [string, string][], body: Buffer, signal?: AbortSignal): Promise<ForwardReply> {
    const url = this.urlFor(path);
    const shown = url === this.options.target ? this.maskedTarget : maskUrl(url);
    try {
      const reply = await sendRequest({
        url,
        headers: withExtraHeaders(forwardableHeaders(headers), this.options.headers ?? []),
        body,
        timeoutMs: this.options.timeoutMs ?? NO_LIMIT_MS,
        signal,
        agent: this.agent,
        maxReplyBytes: this.options.maxReplyBytes ?? 1024 * 1024,
      });
      const contentType = typeof reply.headers['content-type'] === 'string' ? reply.headers['content-type'] : null;
      return {
        url: shown,
        status: reply.status,
        answered: true,
        ms: reply.ms,
        contentType,
        body: reply.body,
        preview: reply.body.toString('utf8', 0, Math.min(reply.body.length, 4000)).slice(0, 1000),
        error: null,
      };
    } catch (thrown) {
      // anything else that went wrong is still an answer the sender gets and every output shows
      const error =
        thrown instanceof SendError
          ? thrown
          : new SendError(`could not forward: ${(thrown as Error).message}`, 'other', undefined, false, 0);
      const timedOut = error.kind === 'timeout';
      const status = timedOut ? 504 : 502;
      const message = timedOut
        ? `the app did not answer within ${Math.round(this.options.timeoutMs ?? 0)}ms`
        : error.kind === 'aborted'
          ? 'idpass was stopped before the app answered'
          : `the app at ${url.host} could not be reached: ${error.message}`;
      return {
        url: shown,
        status,
        answered: false,
        ms: error.ms,
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ error: message, forwardedTo: shown })),
        preview: '',
        error: { kind: error.kind, message },
      };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

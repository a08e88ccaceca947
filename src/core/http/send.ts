/** Sends exact bytes over HTTP(S) and measures the reply: the sender behind trigger, forward and resend. */

import http, { type Agent, type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface SendRequest {
  url: URL;
  method?: string;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
  /** Whole exchange, connect to last reply byte. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Keep at most this much of the reply body. */
  maxReplyBytes?: number;
  agent?: Agent | false;
  /** Accept an untrusted (self-signed) certificate on an HTTPS URL. */
  insecure?: boolean;
}

export interface HttpReply {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The first `maxReplyBytes` of the reply body. */
  body: Buffer;
  truncated: boolean;
  ms: number;
}

export type SendFailureKind = 'refused' | 'dns' | 'timeout' | 'reset' | 'tls' | 'aborted' | 'other';

export class SendError extends Error {
  constructor(
    message: string,
    readonly kind: SendFailureKind,
    readonly code: string | undefined,
    /** Whether a connection was made before it failed (a slow receiver rather than no receiver). */
    readonly connected: boolean,
    readonly ms: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

function kindOf(code: string | undefined): SendFailureKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return code?.startsWith('ERR_TLS') || code?.includes('CERT') ? 'tls' : 'other';
  }
}

function describe(kind: SendFailureKind, url: URL, code: string | undefined, timeoutMs: number): string {
  const where = url.host;
  switch (kind) {
    case 'refused':
      return `connection refused by ${where}: nothing is listening there`;
    case 'dns':
      return `cannot resolve ${url.hostname}`;
    case 'timeout':
      return `no complete reply from ${where} within ${Math.round(timeoutMs)}ms`;
    case 'reset':
      return `${where} closed the connection before replying`;
    case 'tls':
      return `TLS failed with ${where} (${code})`;
    case 'aborted':
      return 'interrupted';
    default:
      return `request to ${where} failed${code ? ` (${code})` : ''}`;
  }
}

export function sendRequest(request: SendRequest): Promise<HttpReply> {
  const { url, method = 'POST', headers, body, timeoutMs, signal, maxReplyBytes = 64 * 1024, agent = false, insecure = false } = request;
  const transport = url.protocol === 'https:' ? https : http;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;

  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const fail = (kind: SendFailureKind, code: string | undefined, detail?: string) => {
      if (settled) return;
      settled = true;
      cleanup();
      const message = describe(kind, url, code, timeoutMs) + (detail && kind === 'other' ? `: ${detail}` : '');
      reject(new SendError(message, kind, code, connected, elapsed()));
      req.destroy();
    };
    const req = transport.request(url, {
      method,
      agent,
      ...(insecure ? { rejectUnauthorized: false } : {}),
      headers: { ...headers, 'content-length': String(body.byteLength) },
    });
    const timer = setTimeout(() => fail('timeout', 'ETIMEDOUT'), timeoutMs);
    const onAbort = () => fail('aborted', 'ABORT_ERR');
    signal?.addEventListener('abort', onAbort, { once: true });
    function cleanup() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) return onAbort();

    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) => fail(kindOf(error.code), error.code, error.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (kept < maxReplyBytes) {
          const part = chunk.subarray(0, maxReplyBytes - kept);
          chunks.push(part);
          kept += part.length;
        }
      });
      res.on('error', (error: NodeJS.ErrnoException) => fail(kindOf(error.code), error.code, error.message));
      res.on('aborted', () => fail('reset', 'ECONNRESET'));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
          truncated: total > kept,
          ms: elapsed(),
        });
      });
    });
    req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}

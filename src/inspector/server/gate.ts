/**
 * Who may use the inspector: a request must carry the random token (the printed URL's `?token=`,
 * then a cookie the first page sets, or an `X-Idpass-Token` header from a script), name the
 * loopback address it is bound on in `Host` (a DNS-rebinding page names its own host), and a
 * write must come from the inspector's own origin (a page elsewhere cannot post to it). Every
 * answer forbids framing and allows only the page's own scripts.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { constantTimeEqual } from '../../core/common/compare.js';

export const COOKIE = 'idpass_inspector';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

export type GateResult = { ok: true; via: 'query' | 'cookie' | 'header' } | { ok: false; status: 401 | 403; message: string };

export function checkRequest(req: IncomingMessage, url: URL, token: string, hosts: string[]): GateResult {
  const host = req.headers.host ?? '';
  if (!hosts.includes(host.toLowerCase()))
    return {
      ok: false,
      status: 403,
      message: `this inspector answers to ${hosts[0]} only (the Host header was ${JSON.stringify(host.slice(0, 100))})`,
    };
  const given: [GateResult & { ok: true }, string | null][] = [
    [{ ok: true, via: 'header' }, typeof req.headers['x-idpass-token'] === 'string' ? req.headers['x-idpass-token'] : null],
    [{ ok: true, via: 'query' }, url.searchParams.get('token')],
    [{ ok: true, via: 'cookie' }, cookieToken(req.headers.cookie)],
  ];
  const match = given.find(([, value]) => value !== null && constantTimeEqual(value, token));
  if (!match) return { ok: false, status: 401, message: 'open the inspector URL idpass printed (it carries the token)' };
  const write = !['GET', 'HEAD'].includes(req.method ?? 'GET');
  if (write) {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`))
      return { ok: false, status: 403, message: 'a write must come from the inspector page itself' };
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
      return { ok: false, status: 403, message: 'a write must come from the inspector page itself' };
    // without an Origin, only a script that sent the token itself (not a browser's cookie) may write
    if (origin === undefined && match[0].via === 'cookie')
      return { ok: false, status: 403, message: 'a write without an Origin must carry the X-Idpass-Token header' };
  }
  return match[0];
}

export function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

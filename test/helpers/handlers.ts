import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Small webhook handlers written the ways real ones are, right and wrong, for `idpass doctor` to
 * judge. Each is a real HTTP server on loopback; `state` is its view of each reference, served at
 * GET /state/<reference>.
 */

export const KEYS = {
  sandbox: 'test_pk_idpass0sandbox0key0not0for0production',
  live: 'live_pk_idpass0stand0in0live0key0not0real',
};

export type HandlerKind =
  'correct' | 'static-only' | 'wrong-hmac' | 'answers-202' | 'non-idempotent' | 'reserialising' | 'slow' | 'redirecting' | 'small-limit';

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const hmac = (key: string, bytes: Buffer | string) => createHmac('sha256', key).update(bytes).digest('base64');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The check Prembly's guide describes: HMAC-SHA256 of the raw bytes, keyed with either public key, base64. */
function validHmac(bytes: Buffer, signature: string | undefined): boolean {
  return signature !== undefined && [KEYS.sandbox, KEYS.live].some((key) => sameText(hmac(key, bytes), signature));
}

function referenceOf(body: Record<string, unknown>): string {
  const pick = (path: string[]) =>
    path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body);
  const found = pick(['verification', 'reference']) ?? pick(['data', 'reference']) ?? pick(['reference']);
  return typeof found === 'string' ? found : 'unknown';
}

function statusOf(body: Record<string, unknown>): string {
  const verification = body.verification as { status?: unknown } | undefined;
  return typeof verification?.status === 'string' ? verification.status : 'NONE';
}

export interface Handler {
  url: string;
  port: number;
  kind: HandlerKind;
  /** Requests seen, for assertions: method, path, status answered. */
  seen: string[];
  close(): Promise<void>;
}

const FINAL = new Set(['VERIFIED', 'NOT-VERIFIED']);

export async function startHandler(kind: HandlerKind): Promise<Handler> {
  const tokens = new Set<string>();
  const state = new Map<string, { status: string; handled: number }>();
  const seen: string[] = [];

  const decide = async (req: http.IncomingMessage, bytes: Buffer): Promise<Reply> => {
    if (req.method === 'GET' && req.url?.startsWith('/state/')) {
      const entry = state.get(decodeURIComponent(req.url.slice('/state/'.length))) ?? null;
      return { status: 200, body: JSON.stringify(entry), headers: { 'content-type': 'application/json' } };
    }
    if (kind === 'redirecting') {
      if (req.url === '/moved') return { status: 200, body: '{"ok":true}' };
      return { status: 302, headers: { location: '/moved' } };
    }
    if (kind === 'small-limit' && bytes.length > 100 * 1024) return { status: 413, body: '{"error":"request entity too large"}' };
    const signature = req.headers['x-prembly-signature'] as string | undefined;
    const token = req.headers.token as string | undefined;
    let valid: boolean;
    if (kind === 'static-only') {
      const legacy = req.headers['x-identitypass-signature'] as string | undefined;
      valid = legacy !== undefined && sameText(legacy, Buffer.from(KEYS.sandbox).toString('base64'));
    } else if (kind === 'wrong-hmac') {
      valid = signature !== undefined && createHmac('sha512', 'sk_not_a_prembly_key').update(bytes).digest('hex') === signature;
    } else if (kind === 'reserialising') {
      let again = '';
      try {
        again = JSON.stringify(JSON.parse(bytes.toString('utf8')));
      } catch {
        return { status: 400, body: '{"error":"bad json"}' };
      }
      valid = signature !== undefined && [KEYS.sandbox, KEYS.live].some((key) => hmac(key, again) === signature);
    } else {
      valid = validHmac(bytes, signature) && (kind !== 'correct' || token !== undefined);
    }
    if (!valid) return { status: 401, body: '{"error":"invalid signature"}' };
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const reference = referenceOf(body);
    if (kind === 'correct') {
      if (token && tokens.has(token)) return { status: 200, body: '{"duplicate":true}' };
      if (token) tokens.add(token);
    }
    if (kind === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_200));
    const before = state.get(reference);
    const incoming = statusOf(body);
    const keep = kind === 'correct' && before && FINAL.has(before.status) && !FINAL.has(incoming);
    if (kind === 'correct' && before && incoming === before.status) {
      // the same result again (a resend with a new token): already handled
    } else {
      state.set(reference, { status: keep ? before!.status : incoming, handled: (before?.handled ?? 0) + 1 });
    }
    return { status: kind === 'answers-202' || kind === 'wrong-hmac' ? 202 : 200, body: '{"received":true}' };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void decide(req, Buffer.concat(chunks)).then((reply) => {
        seen.push(`${req.method} ${req.url} ${reply.status}`);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/identitypass`,
    port,
    kind,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

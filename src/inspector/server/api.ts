/** The inspector's JSON API (the contract is SPEC.md, "The web inspector"); the page uses nothing else. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryRecord } from '../../core/store/codec.js';
import { compareRows } from './compare.js';
import { detailView } from './detail.js';
import { curlCommand, writeHar, writeNdjson, type ExportItem } from './export.js';
import { refuse, SECURITY_HEADERS } from './gate.js';
import { resendRequest, sendOnce, signedRequest } from './send.js';
import type { InspectorContext as Inspector } from './context.js';
import { idsWithText } from './store-reader.js';

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readJson(req: IncomingMessage, max = 32 * 1024 * 1024): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function targetUrl(text: unknown): URL | null {
  if (typeof text !== 'string') return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Where a resend goes: the URL asked for, else every target listen forwarded it to, else back to the receiver. */
function targetsFor(ins: Inspector, record: DeliveryRecord, asked: unknown): URL[] | string {
  if (asked !== undefined && asked !== null && asked !== '') return targetUrl(asked) ? [targetUrl(asked)!] : 'to must be an http(s) URL';
  const forwarded = record.forwardTargets ?? (record.forwardTo ? [record.forwardTo] : []);
  if (forwarded.length) return forwarded.map((t) => new URL(t));
  if (ins.options.receiverUrl) return [new URL(record.path, ins.options.receiverUrl)];
  return 'it was not forwarded anywhere: give a URL to send it to';
}

const textSearches = new Map<string, { at: number; ids: Set<string> }>();

async function textIds(ins: Inspector, q: string | undefined): Promise<Set<string> | undefined> {
  const dir = ins.options.storeDir;
  if (!q || q.length < 3 || !dir) return undefined;
  const known = textSearches.get(q);
  if (known && Date.now() - known.at < 5_000) return known.ids;
  const ids = await idsWithText(dir, q);
  textSearches.clear();
  textSearches.set(q, { at: Date.now(), ids });
  return ids;
}

async function list(ins: Inspector, res: ServerResponse, url: URL): Promise<void> {
  const p = (name: string) => url.searchParams.get(name) || undefined;
  const limit = Math.min(5_000, Math.max(1, Number(p('limit') ?? 500) || 500));
  const q = {
    event: p('event'),
    result: p('result'),
    signature: p('signature'),
    status: p('status'),
    q: p('q'),
    before: p('before'),
    limit,
  };
  json(res, 200, ins.catalog.list(q, await textIds(ins, q.q)));
}

async function* exportItems(ins: Inspector): AsyncGenerator<ExportItem> {
  const ids = [...ins.catalog.newest()].map((s) => s.id).reverse();
  for (const id of ids) {
    const record = await ins.record(id);
    if (!record) continue;
    const shown = ins.options.showPii ? null : ins.views.text(record);
    yield { record, text: shown?.text ?? null, masked: !ins.options.showPii };
  }
}

async function exportTo(ins: Inspector, res: ServerResponse, kind: 'har' | 'ndjson'): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': kind === 'har' ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="idpass-${stamp}.${kind}"`,
  });
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  };
  if (kind === 'har') await writeHar(exportItems(ins), ins.options.receiverUrl ?? 'http://127.0.0.1/', ins.options.version, write);
  else await writeNdjson(exportItems(ins), write);
  res.end();
}

async function oneDelivery(ins: Inspector, req: IncomingMessage, res: ServerResponse, url: URL, id: string, action?: string) {
  const record = await ins.record(id);
  if (!record) return refuse(res, 404, `no delivery ${id} (it may have been dropped from the store)`);
  const keys = ins.options.keys;
  if (!action && req.method === 'GET')
    return json(res, 200, detailView(record, ins.views, keys, ins.options.showPii, ins.catalog.related(id)));
  if (action === 'raw' && req.method === 'GET') {
    const body = Buffer.from(record.body ?? '', 'base64');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${id}.body"`,
      'content-length': body.length,
    });
    return void res.end(body);
  }
  if (action === 'tree' && req.method === 'GET') {
    let path: unknown;
    try {
      path = JSON.parse(url.searchParams.get('path') ?? '[]');
    } catch {
      path = null;
    }
    if (!Array.isArray(path) || path.some((k) => typeof k !== 'string')) return refuse(res, 400, 'path is a JSON array of keys');
    const children = ins.views.children(record, path as string[], Number(url.searchParams.get('from') ?? 0) || 0);
    return children ? json(res, 200, children) : refuse(res, 404, 'no object or array at that path');
  }
  if (action === 'curl' && req.method === 'GET') {
    const targets = targetsFor(ins, record, url.searchParams.get('to') ?? undefined);
    if (typeof targets === 'string') return refuse(res, 400, targets);
    const text = curlCommand({ ...resendRequest(record), headers: record.headers }, targets[0]!.href);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    return void res.end(`${text}\n`);
  }
  if (action === 'resend' && req.method === 'POST') {
    const body = await readJson(req, 64 * 1024);
    if (!body) return refuse(res, 400, 'send {"to"?: "<url>"}');
    const targets = targetsFor(ins, record, body.to);
    if (typeof targets === 'string') return refuse(res, 400, targets);
    const r = resendRequest(record);
    const results = await Promise.all(targets.map((t) => sendOnce(t, r.method, r.headers, r.body)));
    return json(res, 200, { results });
  }
  req.resume();
  refuse(res, 405, 'not a method this path takes');
}

async function send(ins: Inspector, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  if (!body || typeof body.body !== 'string')
    return refuse(res, 400, 'send {"body": "<text>", "to"?: "<url>", "from"?: "<delivery id>", "curl"?: true}');
  const from = typeof body.from === 'string' ? await ins.record(body.from) : null;
  const key = body.key === 'live' || body.key === 'sandbox' ? body.key : undefined;
  const signed = signedRequest(body.body, ins.options.keys, ins.options.scheme, from, key);
  const fallback = { path: from?.path ?? '/webhook', forwardTo: from?.forwardTo ?? null, forwardTargets: from?.forwardTargets };
  const targets = targetsFor(ins, fallback as DeliveryRecord, body.to);
  if (typeof targets === 'string') return refuse(res, 400, targets);
  const curl = curlCommand({ method: signed.method, headers: signed.pairs, body: signed.body }, targets[0]!.href);
  if (body.curl === true) return json(res, 200, { curl, token: signed.token, key: signed.key });
  const results = await Promise.all(targets.map((t) => sendOnce(t, signed.method, signed.headers, signed.body)));
  json(res, 200, { results, token: signed.token, key: signed.key, curl });
}

async function compare(ins: Inspector, res: ServerResponse, url: URL): Promise<void> {
  const [a, b] = await Promise.all([ins.record(url.searchParams.get('a') ?? ''), ins.record(url.searchParams.get('b') ?? '')]);
  if (!a || !b) return refuse(res, 404, 'compare takes two known delivery ids: ?a=<id>&b=<id>');
  const sa = ins.catalog.summary(a.id)!;
  const sb = ins.catalog.summary(b.id)!;
  json(res, 200, { a: sa, b: sb, rows: compareRows({ summary: sa, body: ins.views.value(a) }, { summary: sb, body: ins.views.value(b) }) });
}

export async function handleApi(ins: Inspector, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let parts: string[];
  try {
    parts = url.pathname
      .split('/')
      .slice(2)
      .map((p) => decodeURIComponent(p));
  } catch {
    req.resume();
    return refuse(res, 400, 'the path is not valid percent-encoding');
  }
  const [first, id, action] = parts;
  if (first === 'deliveries' && parts.length === 1 && req.method === 'GET') return list(ins, res, url);
  if (first === 'deliveries' && id && parts.length <= 3) return oneDelivery(ins, req, res, url, id, action);
  if (first === 'send' && req.method === 'POST') return send(ins, req, res);
  if (first === 'compare' && req.method === 'GET') return compare(ins, res, url);
  if (first === 'export.har' && req.method === 'GET') return exportTo(ins, res, 'har');
  if (first === 'export.ndjson' && req.method === 'GET') return exportTo(ins, res, 'ndjson');
  if (first === 'info' && req.method === 'GET') {
    const events = new Set<string>();
    for (const s of ins.catalog.newest()) if (s.event) events.add(s.event);
    return json(res, 200, {
      version: ins.options.version,
      showPii: ins.options.showPii,
      receiverUrl: ins.options.receiverUrl,
      total: ins.catalog.size,
      events: [...events].sort(),
    });
  }
  req.resume();
  refuse(res, 404, 'not an inspector API path');
}

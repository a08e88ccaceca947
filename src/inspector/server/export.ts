/**
 * A delivery as a curl command (one that reproduces it exactly: the same bytes, the same
 * signature), and every delivery as HAR 1.2 or NDJSON, written piece by piece so an export of
 * thousands of deliveries never sits whole in memory.
 */

import type { DeliveryRecord } from '../../core/store/codec.js';
import { forwardableHeaders } from '../../core/http/forward.js';
import { safeJson } from '../../output/sanitize.js';
import { isText } from './body-view.js';

/** Single-quoted for a POSIX shell: everything literal, a quote written as '\''. */
export const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Headers curl must not be given (it sets them itself, and they describe one hop). */
const CURL_SETS = new Set(['expect']);

export function curlCommand(request: { method: string; headers: [string, string][]; body: Buffer }, url: string): string {
  const headers = Object.entries(forwardableHeaders(request.headers)).flatMap(([name, value]) =>
    CURL_SETS.has(name.toLowerCase()) ? [] : (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`),
  );
  // curl adds Accept and User-Agent of its own when the delivery had none: sent empty, they are left out
  const lower = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const unset = ['accept', 'user-agent'].filter((name) => !lower.has(name)).map((name) => `${name}:`);
  const flags = [...headers, 'Expect:', ...unset].map((h) => `  -H ${sq(h)}`);
  const text = isText(request.body);
  const data = text ? `  --data-raw ${sq(request.body.toString('utf8'))}` : '  --data-binary @-';
  const command = [`curl -sS -X ${request.method} ${sq(url)}`, ...flags, data].join(' \\\n');
  // bytes that are not text travel as base64 and are decoded on the way into curl
  return text ? command : `printf '%s' ${sq(request.body.toString('base64'))} | base64 -d | ${command}`;
}

type Write = (chunk: string) => Promise<void>;

export interface ExportItem {
  record: DeliveryRecord;
  /** The body as the export carries it: exact with --show-pii, masked otherwise. */
  text: string | null;
  masked: boolean;
}

function harEntry(item: ExportItem, baseUrl: string) {
  const { record } = item;
  const url = new URL(record.path, baseUrl);
  const forward = record.outcome?.forward;
  const contentType = record.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  const body = record.body === null ? null : Buffer.from(record.body, 'base64');
  const exactText = body && isText(body);
  return {
    startedDateTime: record.receivedAt,
    time: forward?.ms ?? 0,
    request: {
      method: record.method,
      url: url.href,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: record.headers.map(([name, value]) => ({ name, value })),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(body
        ? {
            postData: {
              mimeType: contentType,
              text: item.masked ? (item.text ?? '') : exactText ? body.toString('utf8') : body.toString('base64'),
              ...(item.masked
                ? { comment: 'personal data masked (idpass listen --show-pii exports the exact bytes)' }
                : exactText
                  ? {}
                  : { _encoding: 'base64' }),
            },
          }
        : {}),
      headersSize: -1,
      bodySize: record.size,
    },
    response: {
      status: record.outcome?.answerStatus ?? 0,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      content: { size: forward?.preview.length ?? 0, mimeType: '', text: forward?.preview ?? '' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      ...(forward ? { comment: `the app (${forward.url}) answered ${forward.status}` } : {}),
    },
    cache: {},
    timings: { send: 0, wait: forward?.ms ?? 0, receive: 0 },
    _idpass: {
      id: record.id,
      event: record.event,
      result: record.identityStatus,
      reference: record.reference,
      signature: record.verification,
    },
  };
}

export async function writeHar(items: AsyncIterable<ExportItem>, baseUrl: string, version: string, write: Write): Promise<void> {
  await write(`{"log":{"version":"1.2","creator":{"name":"idpass","version":${JSON.stringify(version)}},"entries":[\n`);
  let first = true;
  for await (const item of items) {
    await write(`${first ? '' : ',\n'}${safeJson(harEntry(item, baseUrl))}`);
    first = false;
  }
  await write('\n]}}\n');
}

export async function writeNdjson(items: AsyncIterable<ExportItem>, write: Write): Promise<void> {
  for await (const { record, text, masked } of items) {
    const line = masked ? { ...record, body: null, bodyText: text, masked: true } : record;
    await write(`${safeJson(line)}\n`);
  }
}

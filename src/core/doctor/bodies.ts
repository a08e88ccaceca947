/** Bodies a correct handler takes in its stride and a careless one does not. */

import { randomBytes } from 'node:crypto';

/** A number written out as is, beyond what a JavaScript number holds exactly. */
class RawNumber {
  constructor(readonly text: string) {}
}

function escapeString(text: string): string {
  // every non-ASCII character as \uXXXX and every slash as \/: both valid JSON, both lost by JSON.stringify
  return JSON.stringify(text)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

function write(value: unknown, depth: number): string {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'string') return escapeString(value);
  const pad = '   '.repeat(depth + 1);
  const close = '   '.repeat(depth);
  if (Array.isArray(value)) {
    return value.length === 0 ? '[ ]' : `[\n${value.map((v) => pad + write(v, depth + 1)).join(' ,\n')}\n${close}]`;
  }
  if (value && typeof value === 'object') {
    // keys in the reverse of the usual order, a space before each colon, three-space indents
    const keys = Object.keys(value).reverse();
    if (keys.length === 0) return '{ }';
    const entries = keys.map((k) => `${pad}${escapeString(k)} : ${write((value as Record<string, unknown>)[k], depth + 1)}`);
    return `{\n${entries.join(' ,\n')}\n${close}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The same delivery written the way no JSON.stringify writes it: keys reordered, unusual spacing,
 * escaped unicode and slashes, and a large integer. Valid JSON, so a handler that verifies the raw
 * bytes accepts it; one that verifies `JSON.stringify(req.body)` computes its HMAC over other bytes.
 */
export function unusualBytes(body: Record<string, unknown>): Buffer {
  const data = (body.data && typeof body.data === 'object' ? body.data : {}) as Record<string, unknown>;
  const withExtras = {
    ...body,
    data: { ...data, middleName: 'Adébáyọ̀ Ògúnlẹ́sì', address_line: 'Block 4/7, Ìkòyí' },
    request_id: new RawNumber('90071992547409931234'),
  };
  return Buffer.from(`${write(withExtras, 0)}\n`);
}

/** Base64 that starts like a JPEG, `bytes` of picture. */
function photo(bytes: number): string {
  return `/9j/${randomBytes(bytes).toString('base64')}`;
}

/**
 * The body with every image field replaced by a realistic photo, `totalBytes` of pictures in all
 * (identity results carry the portrait and the document scan as base64).
 */
export function withPhotos(body: Record<string, unknown>, totalBytes: number): Record<string, unknown> {
  const found: [Record<string, unknown>, string][] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string' && /image|photo|selfie/i.test(key)) found.push([node as Record<string, unknown>, key]);
      else walk(value);
    }
  };
  walk(body);
  if (found.length === 0) {
    const data = (body.data && typeof body.data === 'object' ? body.data : (body.data = {})) as Record<string, unknown>;
    found.push([data, 'photo']);
  }
  for (const [node, key] of found) node[key] = photo(Math.floor(totalBytes / found.length));
  return body;
}

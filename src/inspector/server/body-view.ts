/**
 * A delivery's body as the page shows it: a tree sent one level at a time (so a 10 MB body or
 * one nested 50,000 deep costs the page only what is open), the text as received (personal data
 * masked unless --show-pii), and a hex dump when the bytes are not text. Every string goes out as
 * JSON data the page puts in text nodes: nothing here is markup.
 */

import { displayCopy, redactText } from '../../output/redact.js';
import type { DeliveryRecord } from '../../core/store/codec.js';
import { bodyText } from './store-reader.js';

export type NodeType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface TreeNode {
  key: string;
  type: NodeType;
  /** Children for objects and arrays, characters for strings. */
  size: number;
  /** Scalars as text (strings cut to PREVIEW characters). */
  preview?: string;
  /** With --show-pii, a base64 picture as a data: URL the page shows as an image. */
  image?: string;
}

const PREVIEW = 2_000;
const PAGE = 500;
/** The first bytes of the pictures identity bodies carry, in base64. */
const IMAGE_PREFIXES: [string, string][] = [
  ['/9j/', 'image/jpeg'],
  ['iVBORw0KGgo', 'image/png'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
];
const MAX_IMAGE = 8 * 1024 * 1024;

function imageOf(value: string): string | undefined {
  const bare = value.startsWith('data:image/') ? value.slice(value.indexOf(',') + 1) : value;
  if (bare.length > MAX_IMAGE || bare.length < 16) return undefined;
  const type = IMAGE_PREFIXES.find(([prefix]) => bare.startsWith(prefix))?.[1];
  // only base64 characters: the data URL is built here, never taken from the body
  if (!type || !/^[A-Za-z0-9+/]+=*$/.test(bare)) return undefined;
  return `data:${type};base64,${bare}`;
}

function nodeOf(key: string, value: unknown, showPii: boolean): TreeNode {
  if (Array.isArray(value)) return { key, type: 'array', size: value.length };
  if (value === null) return { key, type: 'null', size: 0, preview: 'null' };
  if (typeof value === 'object') return { key, type: 'object', size: Object.keys(value).length };
  if (typeof value === 'string') {
    const image = showPii ? imageOf(value) : undefined;
    return { key, type: 'string', size: value.length, preview: value.slice(0, PREVIEW), ...(image ? { image } : {}) };
  }
  return { key, type: typeof value === 'number' ? 'number' : 'boolean', size: 0, preview: String(value) };
}

export class BodyViews {
  private readonly cache = new Map<string, unknown>();
  constructor(private readonly showPii: boolean) {}

  /** The parsed body as shown (masked unless --show-pii); undefined when it is not JSON. */
  value(record: DeliveryRecord): unknown {
    if (this.cache.has(record.id)) return this.cache.get(record.id);
    const text = record.jsonError === null ? bodyText(record) : null;
    let value: unknown;
    try {
      value = text === null ? undefined : displayCopy(JSON.parse(text), { redact: !this.showPii, maxDepth: Number.MAX_SAFE_INTEGER });
    } catch {
      value = undefined;
    }
    this.cache.set(record.id, value);
    // a few bodies at most: the one open, the two compared
    while (this.cache.size > 4) this.cache.delete(this.cache.keys().next().value as string);
    return value;
  }

  /** The children of the node at `path` (keys from the root), `from` on, at most a page. */
  children(record: DeliveryRecord, path: string[], from = 0): { nodes: TreeNode[]; total: number } | null {
    let node = this.value(record);
    for (const key of path) {
      if (node === null || typeof node !== 'object') return null;
      node = Array.isArray(node) ? node[Number(key)] : Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
      if (node === undefined) return null;
    }
    if (node === null || typeof node !== 'object') return null;
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.slice(from, from + PAGE).map((v, i) => [String(from + i), v])
      : Object.keys(node)
          .slice(from, from + PAGE)
          .map((k) => [k, (node as Record<string, unknown>)[k]]);
    const total = Array.isArray(node) ? node.length : Object.keys(node).length;
    return { nodes: entries.map(([k, v]) => nodeOf(k, v, this.showPii)), total };
  }

  /** The body as text for the raw view: as received with --show-pii, masked otherwise; cut at `max` characters. */
  text(record: DeliveryRecord, max = 1024 * 1024): { text: string; cut: boolean; masked: boolean } | null {
    const text = bodyText(record);
    if (text === null) return null;
    if (this.showPii) return { text: text.slice(0, max), cut: text.length > max, masked: false };
    const value = this.value(record);
    if (value !== undefined) {
      try {
        const shown = JSON.stringify(value, null, 2);
        return { text: shown.slice(0, max), cut: shown.length > max, masked: true };
      } catch {
        // nested too deep to write out again: the text masked as text
      }
    }
    return { text: redactText(text, max), cut: text.length > max, masked: true };
  }
}

/** A hex dump of the first bytes (offset, hex, printable ASCII), for bodies that are not text. */
export function hexDump(bytes: Buffer, max = 4096): string {
  const lines: string[] = [];
  for (let at = 0; at < Math.min(bytes.length, max); at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, bytes.length));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** Whether the bytes read as text: valid UTF-8 with no NUL. */
export function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

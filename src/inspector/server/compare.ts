/**
 * Two deliveries field by field: every leaf of each body (masked as the page shows it) by its
 * path, plus what idpass made of each (event, result, signature, the app's answer), so the
 * pending and the final of one reference read side by side.
 */

import type { Summary } from './catalog.js';

export interface CompareRow {
  path: string;
  a: string | null;
  b: string | null;
  change: 'same' | 'changed' | 'added' | 'removed';
}

const MAX_LEAVES = 5_000;
const MAX_VALUE = 500;

/** Leaves of a value by dotted path (`a.b[2].c`), iteratively, at most MAX_LEAVES. */
export function leaves(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const stack: [string, unknown][] = [['', value]];
  while (stack.length > 0 && out.size < MAX_LEAVES) {
    const [path, v] = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v)
        ? v.map((x, i) => [`${path}[${i}]`, x] as [string, unknown])
        : Object.keys(v).map((k) => [path ? `${path}.${k}` : k, (v as Record<string, unknown>)[k]] as [string, unknown]);
      if (entries.length === 0) out.set(path || '(body)', Array.isArray(v) ? '[]' : '{}');
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]!);
    } else {
      const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
      out.set(path || '(body)', text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text);
    }
  }
  return out;
}

function facts(s: Summary): Map<string, string> {
  return new Map([
    ['(event)', s.event ?? 'unrecognised'],
    ['(result)', s.result ?? '—'],
    [
      '(signature)',
      s.signature.valid ? `valid ${s.signature.scheme ?? ''} ${s.signature.key ?? ''}`.trim() : (s.signature.reason ?? 'invalid'),
    ],
    ['(app answer)', s.appStatus === null ? '—' : String(s.appStatus)],
    ['(received)', s.receivedAt],
  ]);
}

export function compareRows(a: { summary: Summary; body: unknown }, b: { summary: Summary; body: unknown }): CompareRow[] {
  const rows: CompareRow[] = [];
  const add = (left: Map<string, string>, right: Map<string, string>) => {
    for (const [path, va] of left) {
      const vb = right.get(path);
      rows.push({ path, a: va, b: vb ?? null, change: vb === undefined ? 'removed' : vb === va ? 'same' : 'changed' });
    }
    for (const [path, vb] of right) if (!left.has(path)) rows.push({ path, a: null, b: vb, change: 'added' });
  };
  add(facts(a.summary), facts(b.summary));
  add(leaves(a.body), leaves(b.body));
  return rows;
}

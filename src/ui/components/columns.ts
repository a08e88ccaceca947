import type { Delivery } from '../../core/delivery/types.js';
import { identityTone, TONE_COLOURS } from '../../output/palette.js';
import { clockTime } from '../../output/render/format.js';
import { forwardFailed } from '../view-model.js';

/** The delivery list's columns, and which fit a terminal of a given width. */

/** Pads or cuts text to exactly `width` characters, marking a cut with an ellipsis. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

export interface Cell {
  text: string;
  colour?: string;
}

export interface Column {
  id: string;
  title: string;
  width: number;
  /** Lower is more important; narrow terminals drop the highest first. */
  priority: number;
  cell(d: Delivery): Cell;
}

const SIG_WORDS: Record<string, string> = {
  valid: '✔',
  'missing-signature': '✘ missing',
  'empty-signature': '✘ empty',
  'malformed-signature': '✘ malformed',
  'wrong-key': '✘ wrong key',
  'body-mismatch': '✘ mismatch',
  'scheme-not-allowed': '✘ scheme',
  'body-not-read': '– not read',
};

export const COLUMNS: Column[] = [
  { id: 'time', title: 'time', width: 8, priority: 2, cell: (d) => ({ text: clockTime(d.receivedAt), colour: 'gray' }) },
  {
    id: 'event',
    title: 'event',
    width: 26,
    priority: 0,
    cell: (d) => ({ text: d.classification.event ?? (d.jsonError ? 'not JSON' : d.tooLarge ? 'too large' : 'unrecognised') }),
  },
  {
    id: 'result',
    title: 'result',
    width: 15,
    priority: 0,
    cell: (d) => {
      const s = d.classification.identityStatus;
      const code = d.classification.responseCode;
      const text = `${s ?? '—'}${code ? ` ${code}` : ''}`;
      return { text, colour: s ? TONE_COLOURS[identityTone(s)] : undefined };
    },
  },
  {
    id: 'sig',
    title: 'signature',
    width: 12,
    priority: 1,
    cell: (d) => {
      const v = d.verification;
      const text = v.valid ? `✔ ${v.weak ? 'weak' : 'hmac'}${v.key === 'live' ? ' live' : ''}` : (SIG_WORDS[v.reason] ?? '✘');
      return { text, colour: v.valid ? (v.weak ? 'yellow' : 'green') : 'red' };
    },
  },
  {
    id: 'forward',
    title: 'app',
    width: 12,
    priority: 3,
    cell: (d) => {
      if (!d.forward) return { text: d.answerStatus === null ? '…' : `${d.answerStatus} (no app)`, colour: 'gray' };
      const f = d.forward;
      const text = f.answered ? `${f.status} ${Math.round(f.ms)}ms` : `${f.status} ${f.error?.kind === 'timeout' ? 'timeout' : 'down'}`;
      return { text, colour: forwardFailed(d) ? (f.answered ? 'yellow' : 'red') : 'green' };
    },
  },
  {
    id: 'flags',
    title: 'flags',
    width: 12,
    priority: 4,
    cell: (d) => ({
      text: [d.replayOf && 'replay', d.classification.retry && 'retry', d.duplicate && 'dup'].filter(Boolean).join(' '),
      colour: 'magenta',
    }),
  },
  {
    id: 'ref',
    title: 'ref',
    width: 8,
    priority: 5,
    cell: (d) => ({ text: d.classification.reference?.slice(0, 8) ?? '', colour: 'gray' }),
  },
  { id: 'product', title: 'product', width: 18, priority: 6, cell: (d) => ({ text: d.classification.product ?? '' }) },
];

/** The columns that fit, in display order; the event column gives up width last. */
export function layoutColumns(columns: number): { column: Column; width: number }[] {
  const available = columns - 2; // the selection marker
  const chosen = new Set<Column>();
  let used = 0;
  for (const column of [...COLUMNS].sort((a, b) => a.priority - b.priority)) {
    const need = column.width + (chosen.size ? 1 : 0);
    // strict priority: once one does not fit, no less important one jumps the queue
    if (column.priority > 0 && used + need > available) break;
    chosen.add(column);
    used += need;
  }
  const result = COLUMNS.filter((c) => chosen.has(c)).map((column) => ({ column, width: column.width }));
  const overflow = used - available;
  if (overflow > 0) {
    const event = result.find((r) => r.column.id === 'event')!;
    event.width = Math.max(8, event.width - overflow);
  }
  return result;
}

/** The delivery list's columns, and which fit a terminal of a given width. */

import type { Delivery } from '../../core/delivery/types.js';
import { identityTone, TONE_COLOURS } from '../../output/palette.js';
import { clockTime } from '../../output/render/format.js';
import { forwardFailed } from '../view-model.js';

/** Pads or cuts text to exactly `width` characters, marking a cut with an ellipsis. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** Cuts the middle out of a long name, keeping both ends readable: `verification.…ry.completed`. */
export function fitMiddle(text: string, width: number): string {
  if (text.length <= width || width < 8) return fit(text, width);
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${text.slice(0, head)}…${text.slice(-tail)}`;
}

export interface Cell {
  text: string;
  colour?: string;
}

export interface Column {
  id: string;
  title: string;
  width: number;
  /** Columns that may shrink: down to this width, and they get spare width up to `width`. */
  minWidth?: number;
  /** Cut in the middle rather than at the end. */
  middle?: boolean;
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
    // the longest catalog name, verification.payment_retry.completed
    width: 36,
    minWidth: 14,
    middle: true,
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
      // kinds without an identity result (workflow runs, watchlist, transactions) show their outcome
      const outcome = d.classification.event?.split('.').at(-1)?.replace('_', ' ');
      const text = s ? `${s}${code ? ` ${code}` : ''}` : (outcome ?? '—');
      // a body whose signature failed only claims its result: never in the result's colour
      if (s && !d.verification.valid) return { text: `${s}?${code ? ` ${code}` : ''}`, colour: 'gray' };
      return { text, colour: s ? TONE_COLOURS[identityTone(s)] : 'gray' };
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
    priority: 1,
    cell: (d) => {
      if (!d.forward) return { text: d.answerStatus === null ? '…' : `${d.answerStatus} (no app)`, colour: 'gray' };
      const f = d.forward;
      const others = d.otherForwards.length ? ` +${d.otherForwards.length}` : '';
      const text =
        (f.answered ? `${f.status} ${Math.round(f.ms)}ms` : `${f.status} ${f.error?.kind === 'timeout' ? 'timeout' : 'down'}`) + others;
      const refused = f.verdict === 'refused-rightly' ? ' ✔' : '';
      return { text: `${text}${refused}`, colour: forwardFailed(d) ? (f.answered ? 'yellow' : 'red') : 'green' };
    },
  },
  {
    id: 'flags',
    title: 'flags',
    width: 12,
    priority: 4,
    cell: (d) => ({
      text: [d.replayOf && 'replay', d.relayed && 'relay', d.classification.retry && 'retry', d.duplicate && 'dup']
        .filter(Boolean)
        .join(' '),
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

/**
 * The columns that fit, in display order. Event, result, signature and the app's answer come
 * first, the event name at its narrowest; then the event name grows to a comfortable width, the
 * flags (dup, retry, replay, relay) come in, then the time; then the event name grows to the
 * longest name on screen (`longestEvent`: never wider, so it is not padded with spare width), and
 * only then the reference and the product. Whatever is left goes to the event name.
 */
export function layoutColumns(columns: number, longestEvent = 36): { column: Column; width: number }[] {
  const available = columns - 2; // the selection marker
  const widthOf = (c: Column) => c.minWidth ?? c.width;
  const event = COLUMNS.find((c) => c.id === 'event')!;
  const eventMax = Math.max(event.minWidth ?? 4, Math.min(event.width, longestEvent));
  const chosen = new Map<Column, number>();
  let used = -1;
  const fits = (width: number) => used + 1 + width <= available;
  // 1. the essentials (event, result, signature, app), the event name at its narrowest
  for (const column of [...COLUMNS].sort((a, b) => a.priority - b.priority).filter((c) => c.priority <= 1)) {
    if (column.priority > 0 && !fits(widthOf(column))) break;
    chosen.set(column, widthOf(column));
    used += 1 + widthOf(column);
  }
  const grow = (column: Column, to: number) => {
    const more = Math.max(0, Math.min(to - chosen.get(column)!, available - used));
    chosen.set(column, chosen.get(column)! + more);
    used += more;
  };
  const add = (id: string) => {
    const column = COLUMNS.find((c) => c.id === id)!;
    if (!fits(column.width)) return false;
    chosen.set(column, column.width);
    used += 1 + column.width;
    return true;
  };
  grow(event, Math.min(EVENT_COMFORTABLE, eventMax));
  if (add('flags') && add('time')) {
    grow(event, eventMax);
    if (add('ref')) add('product');
  } else grow(event, eventMax);
  grow(event, eventMax);
  if (used > available) chosen.set(event, Math.max(4, chosen.get(event)! - (used - available)));
  return COLUMNS.filter((c) => chosen.has(c)).map((column) => ({ column, width: chosen.get(column)! }));
}

/** Wide enough for most event names; past this, optional columns come first. */
const EVENT_COMFORTABLE = 26;

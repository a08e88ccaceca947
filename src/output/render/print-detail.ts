import type { ChalkInstance } from 'chalk';
import { writeLine, type IO } from '../io.js';
import { painter } from '../palette.js';
import type { DetailLine } from './detail.js';

/** Prints detail lines with the same tones the live view uses. */
export function printDetail(lines: DetailLine[], io: IO, c: ChalkInstance): void {
  const paint = painter(c);
  for (const line of lines) writeLine(io.stdout, paint[line.tone](line.text));
}

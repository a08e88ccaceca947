import type { ChalkInstance } from 'chalk';
import type { DetailLine, Tone } from './delivery-detail.js';
import { writeLine, type IO } from './io.js';

/** Prints detail lines with the same tones the live view uses. */
export function printDetail(lines: DetailLine[], io: IO, c: ChalkInstance): void {
  const paint: Record<Tone, (text: string) => string> = {
    plain: (t) => t,
    good: c.green,
    bad: c.red,
    warn: c.yellow,
    dim: c.dim,
    title: (t) => c.bold.cyan(t),
  };
  for (const line of lines) writeLine(io.stdout, paint[line.tone](line.text));
}

import { SpillingWriter } from './spill.js';
import type { ChalkInstance } from 'chalk';

/** Every stream and environment fact a command touches, in one object tests can replace. */
export interface IO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

export function processIO(signal: AbortSignal): IO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal };
}

/**
 * Colour on a TTY only; NO_COLOR and --no-color turn it off; FORCE_COLOR (1-3) turns it on.
 * chalk ignores NO_COLOR on its own, so the decision is made here and chalk is told the level.
 */
export function colorLevel(io: IO, stream: { isTTY?: boolean }, noColorFlag: boolean): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const level = Number(force);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return 0;
  if (!stream.isTTY) return 0;
  if (io.env.TERM === 'dumb') return 0;
  return io.env.COLORTERM === 'truecolor' ? 3 : 2;
}

/** chalk is loaded only by commands that print colour, to keep --help fast. */
export async function loadChalk(level: 0 | 1 | 2 | 3): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk');
  return new Chalk({ level });
}

export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(line + '\n');
}

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Writes lines to a stream, joining every line written in one turn of the event loop into one write:
 * a burst of deliveries answered together costs one system call, not one each. Lines are kept in
 * order and leave before the next turn (on the process's next tick), so nothing is held back or lost.
 *
 * Each line is encoded straight into one buffer. (Handing the stream the lines joined as one string
 * cost 14 µs a line on Node 24: the string is a rope of JSON.stringify results, which node encodes
 * slowly; encoding each line into place costs 2.)
 */
export function lineBatch(stream: NodeJS.WritableStream): LineBatch {
  // a reader that stalls gets the rest from disk later, in order: memory stays bounded
  const writer = new SpillingWriter(stream);
  let pending: string[] | null = null;
  const flush = () => {
    const lines = pending!;
    pending = null;
    // a UTF-16 code unit never takes more than 3 bytes of UTF-8
    let room = 0;
    for (const line of lines) room += line.length * 3 + 1;
    // a huge line (a multi-megabyte body shown with --show-pii) is not worth a buffer three times its size
    if (room > MAX_BATCH_BYTES) {
      for (const line of lines) writer.write(Buffer.from(line + '\n'));
      return;
    }
    const out = Buffer.allocUnsafe(room);
    let at = 0;
    for (const line of lines) {
      at += out.write(line, at, 'utf8');
      out[at++] = 0x0a;
    }
    writer.write(out.subarray(0, at));
  };
  const add = (line: string) => {
    if (pending === null) {
      pending = [];
      process.nextTick(flush);
    }
    pending.push(line);
  };
  return Object.assign(add, {
    // lines of this tick leave on the next; then whatever went to disk must come back
    finished: () => new Promise<void>((resolve) => process.nextTick(resolve)).then(() => writer.finished()),
  });
}

/** Adds one line; `finished()` resolves once every line added so far was handed to the stream. */
export type LineBatch = ((line: string) => void) & { finished(): Promise<void> };

import { PassThrough, Writable } from 'node:stream';
import type { IO } from './io.js';

/**
 * An IO for tests, as gh's iostreams.Test(): captured stdout and stderr, a stdin to feed, a
 * settable "is a terminal" for each stream, its own environment and abort signal.
 */
export interface FakeIO extends IO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: PassThrough & { isTTY?: boolean };
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
  /** Aborts the signal, as Ctrl-C would. */
  interrupt(): void;
}

export interface FakeIOOptions {
  env?: NodeJS.ProcessEnv;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  stdinTTY?: boolean;
  /** What stdin holds; it ends after this. */
  input?: string;
}

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

export function createFakeIO(options: FakeIOOptions = {}): FakeIO {
  const stdout = capture(options.stdoutTTY ?? false);
  const stderr = capture(options.stderrTTY ?? false);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.stdinTTY ?? false;
  if (options.input !== undefined) stdin.end(options.input);
  const controller = new AbortController();
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    env: { ...(options.env ?? {}) },
    signal: controller.signal,
    out: stdout.text,
    err: stderr.text,
    interrupt: () => controller.abort(),
  };
}

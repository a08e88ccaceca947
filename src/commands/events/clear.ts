import { ExitCode, UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';
import type { OutputOptions } from '../program/shared-flags.js';
import { countRecords } from './store-access.js';

export interface ClearOptions extends OutputOptions {
  yes?: boolean;
}

/** `idpass events clear`: deletes every recorded delivery, after asking on a terminal. */
export async function runClear(options: ClearOptions, io: IO): Promise<number> {
  const { count, file, exists } = await countRecords(io);
  const { rm } = await import('node:fs/promises');
  if (!exists) {
    io.stderr.write('nothing to clear: no deliveries are recorded\n');
    return ExitCode.ok;
  }
  if (!options.yes) {
    if (!io.stdin.isTTY)
      throw new UsageError(
        `refusing to delete ${count} recorded deliveries without --yes (not on a terminal)`,
        'run idpass events clear --yes',
      );
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    // Ctrl-C at the prompt (readline's own, or the process signal) is a quiet "no", exit 130
    const interrupted = new AbortController();
    rl.once('SIGINT', () => interrupted.abort());
    const onSignal = () => interrupted.abort();
    io.signal.addEventListener('abort', onSignal, { once: true });
    if (io.signal.aborted) interrupted.abort();
    let answer: string;
    try {
      answer = await rl.question(`Delete ${count} recorded deliveries in ${file}? [y/N] `, { signal: interrupted.signal });
    } catch (error) {
      if (!interrupted.signal.aborted) throw error;
      io.stderr.write('\ninterrupted: nothing was deleted\n');
      return ExitCode.interrupted;
    } finally {
      io.signal.removeEventListener('abort', onSignal);
      rl.close();
    }
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.stderr.write('kept them\n');
      return ExitCode.ok;
    }
  }
  await rm(file, { force: true });
  io.stderr.write(`deleted ${count} recorded deliveries (${file})\n`);
  return ExitCode.ok;
}

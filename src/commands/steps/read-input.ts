import { createReadStream } from 'node:fs';
import { DEFAULT_MAX_BODY_BYTES } from '../../core/common/defaults.js';
import { CliError, ExitCode, UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';

/**
 * The bytes of a file named on the command line, or of stdin for `-`; a usage error that says why
 * not. Read as a stream and capped (a body is at most what listen's --max-body takes by default),
 * so /dev/zero or an endless pipe ends in an error, not in gigabytes; an interrupt stops the read.
 */
export async function readInput(
  path: string,
  io: IO,
  what: { flag: string; hint: string },
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<Buffer> {
  const source = path === '-' ? io.stdin : createReadStream(path);
  const chunks: Buffer[] = [];
  let size = 0;
  const stop = () => (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of source) {
      if (io.signal.aborted) break;
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += bytes.length;
      if (size > maxBytes) {
        stop();
        throw new UsageError(
          `${what.flag} ${path === '-' ? 'stdin' : path} is larger than ${maxBytes} bytes (identity bodies are at most a few MB)`,
          'pass the file that holds the body itself',
        );
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (io.signal.aborted) throw interrupted(what.flag);
    throw new UsageError(`cannot read ${what.flag} ${path}: ${why(error)}`, what.hint);
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
  if (io.signal.aborted) throw interrupted(what.flag);
  return Buffer.concat(chunks);
}

function interrupted(flag: string): CliError {
  return new CliError(`interrupted while reading ${flag}`, ExitCode.interrupted);
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return (error as Error).message;
}

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';

/** The bytes of a file named on the command line, or of stdin for `-`; a usage error that says why not. */
export async function readInput(path: string, io: IO, what: { flag: string; hint: string }): Promise<Buffer> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks);
    }
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message;
    throw new UsageError(`cannot read ${what.flag} ${path}: ${why}`, what.hint);
  }
}

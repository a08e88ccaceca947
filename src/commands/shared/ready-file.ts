import { UsageError } from '../../output/errors.js';

/** `--ready-file`: written once a server is listening, for scripts that wait for a file. */

/** Writes the ready file atomically (a reader never sees half of it), private to the user. */
export async function writeReadyFile(path: string, url: string, port: number): Promise<void> {
  const { rename, writeFile } = await import('node:fs/promises');
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, JSON.stringify({ url, port, pid: process.pid }) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    throw new UsageError(`cannot write --ready-file ${path}: ${(error as Error).message}`, 'pass a path in a folder you can write to');
  }
}

/**
 * `--ready-file` (listen, sandbox): written once a server is listening, for scripts that wait for
 * a file; removed when the command stops.
 */

import { UsageError } from '../../output/errors.js';

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

/**
 * Announces a started server in the ready file, if one was asked for. When it cannot be written
 * the server is closed first, so a bad path never leaves one running. Returns the removal to run
 * on stop.
 */
export async function announceReady(
  path: string | undefined,
  server: { url: string; port: number; close(): Promise<unknown> },
): Promise<() => Promise<void>> {
  if (!path) return async () => undefined;
  try {
    await writeReadyFile(path, server.url, server.port);
  } catch (error) {
    await server.close();
    throw error;
  }
  return async () => {
    const { rm } = await import('node:fs/promises');
    await rm(path, { force: true });
  };
}

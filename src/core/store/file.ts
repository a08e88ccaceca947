import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** A store file that could not be used as one, with a code to branch on. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'link' | 'short-write' | 'not-regular',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Opens the store file, refusing anything but a regular file: a link is never followed, and a FIFO
 * or a device is refused at once instead of blocking (O_NONBLOCK: a FIFO with no writer would hold
 * the open, and with it `listen` before ready and every `events` command, past any signal).
 */
export async function openRegular(path: string, flags: number, mode?: number): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new StoreError(`${path} is a symbolic link; refusing to follow it (remove it and idpass creates a private file)`, 'link');
    }
    if (code === 'ENXIO') throw notRegular(path, 'a FIFO');
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw notRegular(path, info.isFIFO() ? 'a FIFO' : info.isDirectory() ? 'a folder' : 'not a regular file');
  }
  return handle;
}

function notRegular(path: string, what: string): StoreError {
  return new StoreError(`${path} is ${what}; the store is a regular file (remove it and idpass creates one)`, 'not-regular');
}

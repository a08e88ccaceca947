import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { lineText, parseStoreText, recordText, type LoadResult, type StoredLine } from './codec.js';

/**
 * The delivery store: one JSON line per delivery, appended before the sender is answered, plus
 * one "outcome" line per delivery once the forward result is known. A line that does not parse
 * (a crash mid-write, a hand edit) is skipped and counted, never fatal.
 */

export const STORE_FILE = 'deliveries.ndjson';

export interface StoreOptions {
  dir: string;
  /** Past this size the oldest deliveries are dropped (down to about half). */
  maxBytes?: number;
}

/** `IDPASS_HOME`, else `$XDG_STATE_HOME/idpass`, else `~/.local/state/idpass`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IDPASS_HOME) return env.IDPASS_HOME;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'idpass');
  return join(homedir(), '.local', 'state', 'idpass');
}

// A random prefix per process and a counter: unique without asking the OS for randomness per delivery.
const ID_PREFIX = randomBytes(2).toString('hex');
let idCounter = 0;

/** Time-ordered, short, unique: base36 milliseconds, then a per-process prefix and counter. */
export function newDeliveryId(now = Date.now()): string {
  idCounter = (idCounter + 1) % 0x10000;
  return `${now.toString(36).padStart(9, '0')}-${ID_PREFIX}${idCounter.toString(16).padStart(4, '0')}`;
}

export class DeliveryStore {
  readonly dir: string;
  readonly file: string;
  readonly maxBytes: number;
  private handle: FileHandle | null = null;
  private pending: { text: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private size = 0;

  constructor({ dir, maxBytes = 200 * 1024 * 1024 }: StoreOptions) {
    this.dir = dir;
    this.file = join(dir, STORE_FILE);
    this.maxBytes = maxBytes;
  }

  /** Creates the directory (0700) and file (0600). Throws with the cause when it cannot. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.handle = await open(this.file, 'a', 0o600);
    // mode only applies to a new file: make an older, looser one private too
    await chmod(this.file, 0o600);
    this.size = (await this.handle.stat()).size;
  }

  /**
   * Appends lines in order; concurrent callers never interleave. Lines that arrive while a write is
   * under way go out together in the next single write (group commit), so a burst costs a few
   * system calls rather than one per delivery. Resolves once the lines are written.
   */
  append(...lines: StoredLine[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ text: lines.map(lineText).join(''), resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (!this.handle) throw new Error('the store is not open');
        const data = Buffer.from(batch.map((b) => b.text).join(''));
        await this.handle.write(data);
        this.size += data.length;
        if (this.size > this.maxBytes) await this.compact();
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error as Error);
      }
    }
    this.flushing = null;
  }

  /** Keeps the newest deliveries that fit in half the limit; rewrites atomically. */
  private async compact(): Promise<void> {
    const { records } = parseStoreText(await readFile(this.file, 'utf8'));
    const keep: string[] = [];
    let bytes = 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const text = recordText(records[i]!);
      if (bytes + text.length > this.maxBytes / 2 && keep.length > 0) break;
      keep.push(text);
      bytes += text.length;
    }
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, keep.reverse().join(''), { mode: 0o600 });
    await this.handle?.close();
    await rename(temp, this.file);
    this.handle = await open(this.file, 'a', 0o600);
    this.size = bytes;
  }

  /** Waits for every pending write, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = null;
  }

  /** Reads every record; a missing file is an empty store. */
  static async load(dir: string): Promise<LoadResult> {
    let text: string;
    try {
      text = await readFile(join(dir, STORE_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
      throw error;
    }
    return parseStoreText(text);
  }

  static async exists(dir: string): Promise<boolean> {
    return stat(join(dir, STORE_FILE)).then(
      () => true,
      () => false,
    );
  }
}

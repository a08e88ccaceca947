import { openRegular, StoreError } from './file.js';
/**
 * The delivery store: one JSON line per delivery, appended before the sender is answered, plus one
 * "outcome" line once the answer is known. It holds its file by identity: when another process
 * removes or replaces the file (`events clear`, another listener's compaction) the next write
 * notices, reopens, and writes again there, so nothing answered is lost. A torn last line (a crash
 * mid-write) is sealed on open; a short write is finished or fails loudly; links are never followed.
 */

import { DEFAULT_STORE_MAX_BYTES } from '../common/defaults.js';
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { lineBytes, parseStoreText, writeDeliveryLine, type EncodedDelivery, type LoadResult, type StoredLine } from './codec.js';
import { STORE_FILE } from './location.js';

export { defaultStateDir, newDeliveryId, STORE_FILE } from './location.js';
export { StoreError } from './file.js';

export interface StoreOptions {
  dir: string;
  /** Past this size the oldest deliveries are dropped (down to about half). */
  maxBytes?: number;
}

// O_NOFOLLOW: a link planted at the store path is refused, not followed (and its target never chmod'ed)
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

function openAppend(file: string): Promise<FileHandle> {
  return openRegular(file, APPEND_FLAGS, 0o600);
}

/** Writes every byte, however many calls it takes; a call that writes nothing is an error. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw new StoreError(`the disk took ${offset} of ${data.length} bytes`, 'short-write');
    offset += bytesWritten;
  }
}

/** A lock older than this is taken to be left by a process that died mid-compaction. */
const STALE_LOCK_MS = 60_000;

/** Takes the folder's compaction lock (an exclusive file); returns its release, or null when held. */
async function takeLock(path: string): Promise<(() => Promise<void>) | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      await handle.write(`${process.pid}\n`);
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return null;
      const info = await lstat(path).catch(() => null);
      if (!info || Date.now() - info.mtimeMs < STALE_LOCK_MS) return null;
      await unlink(path).catch(() => undefined);
    }
  }
  return null;
}

/** Appends bytes [from, to) of an open file to the file at `path`. */
async function copyRange(source: FileHandle, path: string, from: number, to: number): Promise<void> {
  const target = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(Math.min(1024 * 1024, to - from));
    for (let at = from; at < to;) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) break;
      await writeAll(target, buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await target.close();
  }
}

/** A batch this large is written through the store's reused buffer, not a fresh one per batch. */
const REUSE_FROM_BYTES = 256 * 1024;
/** …up to this size: a larger batch gets a buffer of its own, so the reused one stays bounded. */
const REUSE_UP_TO_BYTES = 32 * 1024 * 1024;
/** The reused buffer is let go after this long without a large batch. */
const REUSE_IDLE_MS = 2000;

type Pending = { line: Buffer | EncodedDelivery; length: number; delivery?: string; resolve: () => void; reject: (error: Error) => void };

export class DeliveryStore {
  readonly dir: string;
  readonly file: string;
  readonly maxBytes: number;
  /** Things about the store worth a warning, found when it was opened (a loose folder mode). */
  readonly warnings: string[] = [];
  private handle: FileHandle | null = null;
  private identity: { dev: number; ino: number } | null = null;
  private pending: Pending[] = [];
  /** Large batches are written through this one buffer: an 8 MB delivery does not leave 11 MB behind each time. */
  private scratch: Buffer | null = null;
  private scratchTimer: NodeJS.Timeout | null = null;
  /** Where the newest delivery lines start in the file, and how long they are: one read brings one back. */
  private places = new Map<string, { offset: number; length: number }>();
  private flushing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private size = 0;
  /** A write failed partway: the file may end in a cut line, to be sealed before the next write. */
  private torn = false;

  constructor({ dir, maxBytes = DEFAULT_STORE_MAX_BYTES }: StoreOptions) {
    this.dir = dir;
    this.file = join(dir, STORE_FILE);
    this.maxBytes = maxBytes;
  }

  /** Creates the folder (0700) and the file (0600), seals a torn last line. Throws with the cause when it cannot. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const folder = await lstat(this.dir);
    if ((folder.mode & 0o077) !== 0) {
      this.warnings.push(`the store folder ${this.dir} is readable by others (mode ${(folder.mode & 0o777).toString(8)}); chmod 700 it`);
    }
    await this.reopen();
    if (this.size > 0) await this.sealTail();
  }

  private async reopen(): Promise<void> {
    // another file now: the places noted in the old one mean nothing here
    this.places.clear();
    await this.handle?.close().catch(() => undefined);
    this.handle = await openAppend(this.file);
    // the mode given to open applies only to a new file: make an older, looser one private too
    await this.handle.chmod(0o600);
    const info = await this.handle.stat();
    this.identity = { dev: info.dev, ino: info.ino };
    this.size = info.size;
  }

  /** A crash mid-write leaves a line without its newline: end it, so the next line is not glued to it. */
  private async sealTail(): Promise<void> {
    const reader = await openRegular(this.file, constants.O_RDONLY);
    try {
      const last = Buffer.alloc(1);
      await reader.read(last, 0, 1, this.size - 1);
      if (last[0] !== 0x0a) await writeAll(this.handle!, Buffer.from('\n'));
    } finally {
      await reader.close();
    }
    this.size = (await this.handle!.stat()).size;
  }

  /** Notes where each delivery line of a batch written at `start` lies (bounded: the newest 10,000). */
  private remember(batch: Pending[], start: number): void {
    let at = start;
    for (const b of batch) {
      const length = b.length;
      if (b.delivery) {
        this.places.set(b.delivery, { offset: at, length });
        // past 10,000 keep the newest half: one copy per 5,000 deliveries, never a walk per delivery
        if (this.places.size > 10_000) this.places = new Map([...this.places].slice(-5_000));
      }
      at += length;
    }
  }

  /** Where a delivery recorded by this store lies, if it still knows (compaction moves every line). */
  placeOf(id: string): { offset: number; length: number } | null {
    return this.places.get(id) ?? null;
  }

  /** Whether the path still names the file this store appends to. */
  private async stillOurs(): Promise<boolean> {
    try {
      const info = await lstat(this.file);
      return info.dev === this.identity?.dev && info.ino === this.identity.ino;
    } catch {
      return false;
    }
  }

  /**
   * Appends lines in order; concurrent callers never interleave. Lines that arrive while a write is
   * under way go out together in the next single write (group commit). Resolves once the lines are
   * in the file the store path names.
   */
  append(...lines: (StoredLine | EncodedDelivery)[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const first = lines[0];
      const delivery = lines.length === 1 && (first?.kind === 'delivery' || first?.kind === 'encoded-delivery') ? first.id : undefined;
      // an encoded delivery waits as it is: its bytes are made when the batch is written
      const line =
        lines.length !== 1 ? Buffer.concat(lines.map(lineBytes)) : first!.kind === 'encoded-delivery' ? first! : lineBytes(first!);
      this.pending.push({ line, length: line.length, delivery, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (!this.handle) throw new Error('the store is not open');
        if (this.torn) {
          // after a failed write (a full disk that has since freed): end the cut line first
          await this.reopen();
          if (this.size > 0) await this.sealTail();
          this.torn = false;
        }
        const data = this.batchBytes(batch);
        await writeAll(this.handle, data);
        // removed or replaced by another process meanwhile: write the batch again where the path points now
        if (!(await this.stillOurs())) {
          await this.reopen();
          await writeAll(this.handle, data);
        }
        this.remember(batch, this.size);
        this.size += data.length;
        for (const b of batch) b.resolve();
      } catch (error) {
        this.torn = true;
        for (const b of batch) b.reject(error as Error);
      }
    }
    this.flushing = null;
    if (this.size > this.maxBytes && !this.compacting) {
      this.compacting = this.compact().finally(() => (this.compacting = null));
    }
  }

  /** The batch as one buffer, for one write: a large one made in the reused buffer. */
  private batchBytes(batch: Pending[]): Buffer {
    const total = batch.reduce((sum, b) => sum + b.length, 0);
    if (total < REUSE_FROM_BYTES) return Buffer.concat(batch.map((b) => (Buffer.isBuffer(b.line) ? b.line : lineBytes(b.line))));
    let into: Buffer;
    if (total > REUSE_UP_TO_BYTES) into = Buffer.allocUnsafe(total);
    else {
      if (!this.scratch || this.scratch.length < total) this.scratch = Buffer.allocUnsafe(Math.max(total, 2 * REUSE_FROM_BYTES));
      into = this.scratch;
      if (this.scratchTimer) clearTimeout(this.scratchTimer);
      this.scratchTimer = setTimeout(() => (this.scratch = null), REUSE_IDLE_MS);
      this.scratchTimer.unref();
    }
    let at = 0;
    for (const b of batch) at += Buffer.isBuffer(b.line) ? b.line.copy(into, at) : writeDeliveryLine(b.line, into, at);
    return into.subarray(0, at);
  }

  /**
   * Keeps the newest lines that fit in half the limit. Streams: the bulk is copied while deliveries
   * keep being appended; only the few bytes written meanwhile are copied with writes paused, then
   * the copy is renamed over the file. A failed compaction leaves the store as it was.
   */
  private async compact(): Promise<void> {
    const lock = await takeLock(`${this.file}.lock`);
    // another idpass process on this folder is compacting: it keeps our lines; try again later
    if (!lock) return;
    const temp = `${this.file}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      const end = (await stat(this.file)).size;
      const start = await this.lineStartNear(Math.max(0, end - Math.floor(this.maxBytes / 2)));
      const out = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      if (start < end)
        await pipeline(createReadStream(this.file, { start, end: end - 1 }), createWriteStream('', { fd: out, autoClose: true }));
      else await out.close();
      await this.paused(async () => {
        // a read handle on the file being replaced: what another process appends to it up to the
        // rename is copied across afterwards (what it appends later, it notices and writes again)
        const previous = await openRegular(this.file, constants.O_RDONLY);
        try {
          let now = (await previous.stat()).size;
          if (now > end) await copyRange(previous, temp, end, now);
          // catch up once more right before the rename, to keep the window for other writers tiny
          const latest = (await previous.stat()).size;
          if (latest > now) await copyRange(previous, temp, now, latest);
          now = latest;
          await rename(temp, this.file);
          await this.reopen();
          const after = (await previous.stat()).size;
          if (after > now) {
            const extra = Buffer.alloc(after - now);
            await previous.read(extra, 0, extra.length, now);
            await writeAll(this.handle!, extra);
            this.size += extra.length;
          }
        } finally {
          await previous.close();
        }
      });
    } catch {
      await unlink(temp).catch(() => undefined);
    } finally {
      await lock();
    }
  }

  /** The offset of the first line that starts at or after `offset`. */
  private async lineStartNear(offset: number): Promise<number> {
    if (offset === 0) return 0;
    const reader = await openRegular(this.file, constants.O_RDONLY);
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (let at = offset; ; at += buffer.length) {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, at);
        if (bytesRead === 0) return at;
        const i = buffer.subarray(0, bytesRead).indexOf(0x0a);
        if (i >= 0) return at + i + 1;
      }
    } finally {
      await reader.close();
    }
  }

  /** Runs `work` with no write under way and new writes held until it is done. */
  private async paused(work: () => Promise<void>): Promise<void> {
    while (this.flushing) await this.flushing;
    let release!: () => void;
    this.flushing = new Promise<void>((resolve) => (release = resolve));
    try {
      await work();
    } finally {
      this.flushing = null;
      release();
      if (this.pending.length > 0) this.flushing = this.flush();
    }
  }

  /** Waits for every pending write and any compaction, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing || this.compacting) await (this.flushing ?? this.compacting);
    // lines written during the last compaction may have taken the file past the limit again
    if (this.handle && this.size > this.maxBytes) await this.compact();
    await this.handle?.close();
    this.handle = null;
    if (this.scratchTimer) clearTimeout(this.scratchTimer);
    this.scratch = null;
  }

  /** Reads every record; a missing file is an empty store. For small stores and tests: readers use read.ts. */
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
}

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Past this many bytes waiting in a stream's own buffer, what follows goes to a file on disk. */
export const SPILL_AFTER_BYTES = 8 * 1024 * 1024;
const CATCH_UP_CHUNK = 1024 * 1024;

/**
 * Writes to a stream whose reader may stall (NDJSON piped into a slow consumer) with bounded
 * memory: once the stream holds SPILL_AFTER_BYTES unread, everything after goes to a private temp
 * file, in order, and is copied back to the stream as it drains. Nothing is dropped, and memory
 * stays flat however long the reader stalls (the disk holds the rest).
 */
export class SpillingWriter {
  private spill: { dir: string; fd: number; written: number; copied: number } | null = null;
  private copying = false;
  private caughtUp: (() => void)[] = [];

  constructor(
    private readonly stream: NodeJS.WritableStream & { writableLength?: number },
    private readonly limit = SPILL_AFTER_BYTES,
  ) {}

  write(chunk: Buffer): void {
    if (!this.spill && (this.stream.writableLength ?? 0) + chunk.length <= this.limit) {
      this.stream.write(chunk);
      return;
    }
    if (!this.spill) this.startSpilling();
    const spill = this.spill!;
    let at = 0;
    while (at < chunk.length) at += writeSync(spill.fd, chunk, at, chunk.length - at, spill.written + at);
    spill.written += chunk.length;
  }

  /** Whether lines are waiting on disk now. */
  get spilling(): boolean {
    return this.spill !== null;
  }

  /** Resolves once everything spilled has been handed back to the stream. */
  finished(): Promise<void> {
    if (!this.spill) return Promise.resolve();
    return new Promise((resolve) => this.caughtUp.push(resolve));
  }

  private startSpilling(): void {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-spill-'));
    const fd = openSync(join(dir, 'lines'), 'wx+', 0o600);
    this.spill = { dir, fd, written: 0, copied: 0 };
    this.stream.once('drain', () => this.copyBack());
  }

  /** Copies spilled bytes to the stream while it takes them; waits for 'drain' when it is full again. */
  private copyBack(): void {
    if (this.copying || !this.spill) return;
    this.copying = true;
    const spill = this.spill;
    const buffer = Buffer.allocUnsafe(CATCH_UP_CHUNK);
    for (;;) {
      if (spill.copied >= spill.written) {
        this.stopSpilling();
        return;
      }
      const length = Math.min(CATCH_UP_CHUNK, spill.written - spill.copied);
      const read = readSync(spill.fd, buffer, 0, length, spill.copied);
      spill.copied += read;
      const more = this.stream.write(Buffer.from(buffer.subarray(0, read)));
      if (!more) {
        this.copying = false;
        this.stream.once('drain', () => this.copyBack());
        return;
      }
    }
  }

  private stopSpilling(): void {
    const spill = this.spill!;
    this.spill = null;
    this.copying = false;
    closeSync(spill.fd);
    rmSync(spill.dir, { recursive: true, force: true });
    for (const resolve of this.caughtUp.splice(0)) resolve();
  }
}

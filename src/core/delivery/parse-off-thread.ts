import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { readHeader, type HeaderInput } from '../signing/headers.js';
import { parseBody, type ParsedBody } from './describe.js';

/** Bodies past this (or any compressed one) are parsed on the worker. */
export const PARSE_OFF_THREAD_BYTES = 1024 * 1024;

/**
 * A worker idle this long is let go, and a new one started for the next large body: what parsing
 * an 8 MB body left in its heap goes with it, instead of sitting in the listener's memory.
 */
export const WORKER_IDLE_MS = 1000;

/**
 * Parses bodies for the listener: small ones here, at once; large or compressed ones on one worker
 * thread (parse-worker.ts), so a huge body never holds up the answers to small ones. Where the
 * worker cannot run (the sources run unbuilt, in tests), everything is parsed here, as before.
 */
export class BodyParser {
  private worker: Worker | null | undefined;
  private retire: NodeJS.Timeout | null = null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (p: ParsedBody) => void; fallback: () => ParsedBody }>();

  /** The parse at once for an ordinary body (no promise on the hot path); a promise for one the worker takes. */
  parse(body: Buffer | null, headers: HeaderInput): ParsedBody | Promise<ParsedBody> {
    if (body === null || (body.length <= PARSE_OFF_THREAD_BYTES && !readHeader(headers, 'content-encoding')?.trim())) {
      return parseBody(body, headers);
    }
    return this.parseOffThread(body, headers);
  }

  private async parseOffThread(body: Buffer, headers: HeaderInput): Promise<ParsedBody> {
    this.worker ??= await this.start().catch(() => null);
    const worker = this.worker;
    if (!worker) return parseBody(body, headers);
    const n = this.next++;
    if (this.retire) clearTimeout(this.retire);
    worker.ref();
    return new Promise((resolve) => {
      this.waiting.set(n, { resolve, fallback: () => parseBody(body, headers) });
      worker.postMessage({ n, body, headers });
    });
  }

  private async start(): Promise<Worker | null> {
    const url = new URL('./parse-worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(url))) return null;
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(url);
    worker.unref();
    worker.on('message', ({ n, parsed, error }: { n: number; parsed?: ParsedBody; error?: string }) => {
      const job = this.waiting.get(n);
      this.waiting.delete(n);
      if (this.waiting.size === 0) {
        worker.unref();
        this.retireWhenIdle(worker);
      }
      if (job) job.resolve(parsed && !error ? parsed : job.fallback());
    });
    // a worker that dies takes no delivery with it: what it had is parsed here (one let go when idle had nothing)
    worker.on('error', () => this.failAll());
    worker.on('exit', () => this.failAll());
    return worker;
  }

  private retireWhenIdle(worker: Worker): void {
    if (this.retire) clearTimeout(this.retire);
    this.retire = setTimeout(() => {
      if (this.worker !== worker || this.waiting.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, WORKER_IDLE_MS);
    this.retire.unref();
  }

  private failAll(): void {
    this.worker = null;
    for (const [n, job] of this.waiting) {
      this.waiting.delete(n);
      job.resolve(job.fallback());
    }
  }

  async close(): Promise<void> {
    if (this.retire) clearTimeout(this.retire);
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Delivery } from '../../core/delivery/types.js';
import { WORKER_IDLE_MS } from '../../core/delivery/parse-off-thread.js';
import { deliveryLine } from './delivery-json.js';
import { heldBytes, LARGE_BODY_BYTES } from './held.js';

/**
 * NDJSON lines in arrival order, a large delivery's made on a worker thread (line-worker.ts) so
 * the listener keeps answering while it is parsed and walked. Where the worker cannot run (the
 * sources run unbuilt, in tests), the line is made here, as before.
 */
export function orderedDeliveryLines(write: (line: string) => void, showPii: boolean) {
  const queue: { line: string | null }[] = [];
  let worker: Worker | null | undefined;
  let next = 0;
  const waiting = new Map<number, { line: string | null }>();
  let idle: (() => void) | null = null;
  let retire: NodeJS.Timeout | null = null;

  const drain = () => {
    while (queue.length > 0 && queue[0]!.line !== null) write(queue.shift()!.line!);
    if (queue.length === 0) idle?.();
  };
  const startWorker = async (): Promise<Worker | null> => {
    const url = new URL('./line-worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(url))) return null;
    const { Worker } = await import('node:worker_threads');
    const started = new Worker(url);
    started.unref();
    started.on('message', ({ n, line }: { n: number; line: string }) => {
      const entry = waiting.get(n);
      waiting.delete(n);
      if (entry) entry.line = line;
      if (waiting.size === 0) {
        started.unref();
        retireWhenIdle(started);
      }
      drain();
    });
    return started;
  };
  // an idle worker is let go (with what walking a large body left in its heap); the next large one starts another
  const retireWhenIdle = (started: Worker) => {
    if (retire) clearTimeout(retire);
    retire = setTimeout(() => {
      if (worker !== started || waiting.size > 0) return;
      worker = undefined;
      void started.terminate();
    }, WORKER_IDLE_MS);
    retire.unref();
  };

  return {
    /** A line that is ready now (a ready or tunnel fact): it still waits for the lines before it. */
    line(text: string): void {
      queue.push({ line: text });
      drain();
    },
    /** A delivery's line: made here at once for an ordinary one, on the worker for a large one. */
    add(d: Delivery): void {
      if (heldBytes(d) <= LARGE_BODY_BYTES || worker === null) {
        queue.push({ line: deliveryLine(d, showPii) });
        return drain();
      }
      void addLarge(d);
    },
    /** Resolves once every line added has been written, then lets the worker go. */
    async finished(): Promise<void> {
      if (queue.length > 0) await new Promise<void>((resolve) => (idle = resolve));
      if (retire) clearTimeout(retire);
      await worker?.terminate();
    },
  };

  async function addLarge(d: Delivery): Promise<void> {
    const entry = { line: null as string | null };
    queue.push(entry);
    worker ??= await startWorker().catch(() => null);
    if (!worker) {
      entry.line = deliveryLine(d, showPii);
      return drain();
    }
    const n = next++;
    if (retire) clearTimeout(retire);
    waiting.set(n, entry);
    worker.ref();
    // the parsed body stays here: the worker parses the bytes itself (cloning 400,000 keys costs as much)
    worker.postMessage({ n, delivery: { ...d, json: undefined }, showPii });
  }
}

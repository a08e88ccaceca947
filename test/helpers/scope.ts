import { afterEach } from 'vitest';
import { startListen } from './listen.js';
import { startReceiver } from './receiver.js';

/**
 * Per-test resources that are always released after each test, pass or fail: receivers, listen
 * processes and anything else registered with `defer`.
 */
export function testScope() {
  let cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    const list = cleanups.reverse();
    cleanups = [];
    for (const cleanup of list) await cleanup();
  });
  return {
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async receiver(...args: Parameters<typeof startReceiver>) {
      const r = await startReceiver(...args);
      cleanups.push(r.close);
      return r;
    },
    async listen(...args: Parameters<typeof startListen>) {
      const l = await startListen(...args);
      cleanups.push(() => l.stop('SIGKILL'));
      return l;
    },
  };
}

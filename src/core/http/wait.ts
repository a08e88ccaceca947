import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a TCP connection to the URL's host and port can be made now. */
function accepts(url: URL): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

/**
 * Waits until something accepts connections at the URL, trying every 100 ms for at most `ms`:
 * for a receiver (an `idpass listen`, an app) started in the same CI step. True once it does.
 */
export async function waitForTarget(url: URL, ms: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (signal?.aborted) return false;
    if (await accepts(url)) return true;
    if (Date.now() >= deadline) return false;
    try {
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())), undefined, { signal });
    } catch {
      return false;
    }
  }
}

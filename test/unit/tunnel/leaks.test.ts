import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createListener } from '../../../src/core/receive/listener.js';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor.js';
import type { TunnelProvider } from '../../../src/core/tunnel/types.js';
import { postRaw, startReceiver } from '../../helpers/receiver.js';

/** Waits and in-flight requests remove what they add: no MaxListenersExceededWarning, however long it runs. */
describe('no leaked listeners', () => {
  let warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('a tunnel server that stays unreachable through 40 retries', async () => {
    let attempts = 0;
    const provider: TunnelProvider = {
      host: new URL('http://127.0.0.1:9'),
      open: async () => {
        attempts++;
        throw new Error('unreachable');
      },
    };
    const supervisor = new TunnelSupervisor({ provider, probeSecret: 's', backoffInitialMs: 1, backoffMaxMs: 2 });
    supervisor.start();
    while (attempts < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    await supervisor.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('twenty forwards in flight at once', async () => {
    const app = await startReceiver(() => ({ status: 200, body: '{}', delayMs: 200 }));
    const listener = createListener({ forwardTo: app.url });
    const { url } = await listener.start({ port: 0 });
    try {
      const body = '{"verification":{"status":"VERIFIED"}}';
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postRaw(url, body, { 'content-type': 'application/json', token: `t${i}` })),
      );
      expect(replies.every((r) => r.status === 200)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      await listener.close();
      await app.close();
    }
  });
});

/**
 * Keeps a public tunnel to the listener alive: opens it with a setup timeout, checks it end to end
 * with a probe that must come back through the public URL to the listener, and on any failure
 * closes it and opens a fresh one (asking for the same subdomain) with backoff and jitter. It only
 * emits facts; it never prints, and nothing it does can crash the process.
 */

import { EventEmitter } from 'node:events';
import { hostnameOf, probeThrough } from './probe.js';
import { randomSubdomain } from './subdomain.js';
import type { TunnelFact, TunnelHandle, TunnelOpenOptions, TunnelProvider, TunnelState } from './types.js';

export interface SupervisorOptions {
  provider: TunnelProvider;
  /** Ask for this subdomain; with none, a random one is picked once and asked for on every reopen. */
  subdomain?: string;
  setupTimeoutMs?: number;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Secret the listener expects on probe requests, so probes are never taken for deliveries. */
  probeSecret: string;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

/** Exponential backoff from `initialMs` to `maxMs`, ±20% jitter so listeners restarted together do not knock in step. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 16));
  return Math.round(base * (0.8 + random() * 0.4));
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    // the listener goes whichever way the wait ends: a retry loop must not pile them up
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Opens a tunnel and checks a request through it reaches the listener; the handle, or why not. */
async function openChecked(
  provider: TunnelProvider,
  options: TunnelOpenOptions,
  probe: (url: string) => Promise<string | null>,
): Promise<{ handle: TunnelHandle } | { cause: string }> {
  try {
    const handle = await provider.open(options);
    if (options.signal?.aborted) return { handle };
    const problem = await probe(handle.url);
    if (problem === null) return { handle };
    handle.close();
    return { cause: `the tunnel opened but a request through ${handle.url} did not reach the listener (${problem})` };
  } catch (error) {
    return { cause: (error as Error).message };
  }
}

/** The first tunnel-up fact, saying whether the subdomain asked for was granted. */
function upFact(handle: TunnelHandle, subdomain: string, explicit: boolean): TunnelFact {
  const granted = handle.clientId === subdomain || hostnameOf(handle.url).split('.')[0] === subdomain;
  return { type: 'tunnel-up', url: handle.url, subdomainRequested: explicit ? subdomain : null, subdomainGranted: granted };
}

export class TunnelSupervisor extends EventEmitter<{ fact: [TunnelFact] }> {
  state: TunnelState = 'connecting';
  url: string | null = null;
  private handle: TunnelHandle | null = null;
  private readonly subdomain: string;
  private readonly explicitSubdomain: boolean;
  private readonly abort = new AbortController();
  private probeTimer: NodeJS.Timeout | null = null;
  private downSince: number | null = null;
  private lastUrl: string | null = null;
  private attempt = 0;
  private wake: (() => void) | null = null;
  private failing = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.explicitSubdomain = options.subdomain !== undefined;
    this.subdomain = options.subdomain ?? randomSubdomain();
  }

  private fact(fact: TunnelFact): void {
    this.emit('fact', fact);
  }

  /** Starts connecting in the background; facts say how it goes. */
  start(): void {
    this.loop ??= this.run().catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const { provider, setupTimeoutMs = 10_000 } = this.options;
    while (!this.stopped) {
      if (this.handle) {
        // up: sleep until a probe or the client reports a failure
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.attempt++;
      this.fact({ type: 'tunnel-connecting', host: provider.host.origin, attempt: this.attempt });
      const opened = await openChecked(
        provider,
        { subdomain: this.subdomain, timeoutMs: setupTimeoutMs, signal: this.abort.signal },
        (url) => this.probeOnce(url),
      );
      if (this.stopped) {
        if ('handle' in opened) opened.handle.close();
        return;
      }
      if ('handle' in opened) {
        this.adopt(opened.handle);
        continue;
      }
      const { cause } = opened;
      const retryInMs = this.backoff();
      this.fact({ type: 'tunnel-unavailable', cause, retryInMs, attempt: this.attempt });
      await this.sleep(retryInMs);
    }
  }

  private adopt(handle: TunnelHandle): void {
    this.handle = handle;
    this.state = 'up';
    this.url = handle.url;
    this.failing = false;
    handle.onFailure((cause) => this.fail(cause));
    const previous = this.lastUrl;
    this.lastUrl = handle.url;
    this.attempt = 0;
    if (previous !== null && this.downSince !== null) {
      const downtimeMs = Date.now() - this.downSince;
      this.fact({ type: 'tunnel-restored', url: handle.url, previousUrl: previous, urlChanged: previous !== handle.url, downtimeMs });
    } else {
      this.fact(upFact(handle, this.subdomain, this.explicitSubdomain));
    }
    this.downSince = null;
    this.scheduleProbe();
  }

  private fail(cause: string): void {
    if (this.failing || !this.handle || this.stopped) return;
    this.failing = true;
    const url = this.handle.url;
    this.handle.close();
    this.handle = null;
    this.url = null;
    this.state = 'down';
    this.downSince = Date.now();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.fact({ type: 'tunnel-down', url, cause });
    this.wake?.();
  }

  private scheduleProbe(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(async () => {
      const handle = this.handle;
      if (!handle || this.stopped) return;
      const problem = await this.probeOnce(handle.url);
      if (handle !== this.handle) return;
      // one failed probe may be a blip: try once more before tearing the tunnel down
      const confirmed = problem === null ? null : await this.probeOnce(handle.url);
      if (handle !== this.handle) return;
      if (confirmed === null) this.scheduleProbe();
      else this.fail(`health probe through ${handle.url} failed: ${confirmed}`);
    }, this.options.probeIntervalMs ?? 15_000);
    this.probeTimer.unref();
  }

  private probeOnce(publicUrl: string): Promise<string | null> {
    const { provider, probeSecret, probeTimeoutMs = 5_000 } = this.options;
    return probeThrough({
      publicUrl,
      tunnelHost: provider.host,
      secret: probeSecret,
      timeoutMs: probeTimeoutMs,
      signal: this.abort.signal,
    });
  }

  private backoff(): number {
    const { backoffInitialMs = 250, backoffMaxMs = 8_000 } = this.options;
    return backoffDelay(this.attempt, backoffInitialMs, backoffMaxMs);
  }

  private sleep(ms: number): Promise<void> {
    return sleepUnlessAborted(ms, this.abort.signal);
  }

  /** Closes the tunnel and stops every retry and probe. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.state = 'stopped';
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.handle?.close();
    this.handle = null;
    this.wake?.();
    await this.loop;
  }
}

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { sendRequest } from '../http/send.js';
import { hostnameOf, PROBE_HEADER, PROBE_PATH, probeTarget } from './probe.js';
import { randomSubdomain } from './subdomain.js';
import type { TunnelFact, TunnelHandle, TunnelProvider, TunnelState } from './types.js';

/**
 * Keeps a public tunnel to the listener alive: opens it with a setup timeout, checks it end to end
 * with a probe that must come back through the public URL to the listener, and on any failure
 * closes it and opens a fresh one (asking for the same subdomain) with backoff and jitter. It only
 * emits facts; it never prints, and nothing it does can crash the process.
 */

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
      let cause: string;
      try {
        const handle = await provider.open({ subdomain: this.subdomain, timeoutMs: setupTimeoutMs, signal: this.abort.signal });
        if (this.stopped) {
          handle.close();
          return;
        }
        const probe = await this.probeOnce(handle.url);
        if (probe === null) {
          this.adopt(handle);
          continue;
        }
        handle.close();
        cause = `the tunnel opened but a request through ${handle.url} did not reach the listener (${probe})`;
      } catch (error) {
        cause = (error as Error).message;
      }
      if (this.stopped) return;
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
      this.fact({
        type: 'tunnel-restored',
        url: handle.url,
        previousUrl: previous,
        urlChanged: previous !== handle.url,
        downtimeMs: Date.now() - this.downSince,
      });
    } else {
      const granted = handle.clientId === this.subdomain || hostnameOf(handle.url).split('.')[0] === this.subdomain;
      this.fact({
        type: 'tunnel-up',
        url: handle.url,
        subdomainRequested: this.explicitSubdomain ? this.subdomain : null,
        subdomainGranted: granted,
      });
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

  /** null when a request through the public URL came back from the listener; else why not. */
  private async probeOnce(publicUrl: string): Promise<string | null> {
    const nonce = randomBytes(6).toString('hex');
    const { url, host } = probeTarget(publicUrl, this.options.provider.host, PROBE_PATH + nonce);
    try {
      const reply = await sendRequest({
        url,
        method: 'GET',
        headers: { [PROBE_HEADER]: this.options.probeSecret, 'bypass-tunnel-reminder': '1', ...(host ? { host } : {}) },
        body: new Uint8Array(0),
        timeoutMs: this.options.probeTimeoutMs ?? 5_000,
        signal: this.abort.signal,
      });
      if (reply.status !== 200) return `answered ${reply.status}`;
      const text = reply.body.toString('utf8');
      return text.includes(nonce) ? null : 'the answer did not come from this listener';
    } catch (error) {
      return (error as Error).message;
    }
  }

  private backoff(): number {
    const { backoffInitialMs = 250, backoffMaxMs = 8_000 } = this.options;
    const base = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.min(this.attempt - 1, 16));
    // ±20% jitter, so many listeners restarted together do not knock in step
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
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

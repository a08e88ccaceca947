/**
 * Many deliveries at once, as a burst from Prembly would come: each unit freshly planned (a new token
 * and reference), sent over keep-alive connections by `concurrency` workers, paced to `ratePerSec`,
 * until `count` units were sent or `durationMs` passed.
 */

import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliverOne, type DeliveryResult } from './send.js';
import type { PlannedDelivery } from './types.js';

export interface LoadOptions {
  url: URL;
  /** Plans one unit (one delivery, or a pending → final pair), fresh for each index. */
  plan: (index: number) => PlannedDelivery[];
  count?: number;
  durationMs?: number;
  concurrency: number;
  ratePerSec?: number;
  timeoutMs: number;
  /** Accept a self-signed certificate on an HTTPS receiver. */
  insecure?: boolean;
  signal?: AbortSignal;
  /** Each delivery's result, as it lands. */
  onResult?: (result: DeliveryResult) => void;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadSummary {
  units: number;
  /** Deliveries sent (both of a pair count). */
  sent: number;
  expected: number;
  unexpected: number;
  /** Answers by HTTP status. */
  byStatus: Record<string, number>;
  /** Deliveries that got no answer, by why (refused, timeout, reset, …). */
  errors: Record<string, number>;
  latency: Percentiles;
  ms: number;
  perSecond: number;
  interrupted: boolean;
  /** Sent, then cut off by the interrupt before an answer: the receiver may have processed them. */
  inFlightWhenInterrupted: number;
  /** The first delivery not answered as expected, to show what went wrong. */
  firstFailure: DeliveryResult | null;
}

/** Nearest-rank percentiles of a list of times. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? 0 };
}

export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const { url, count, durationMs, concurrency, ratePerSec, timeoutMs, signal } = options;
  // every delivery in flight listens for an interrupt on the caller's one signal
  if (signal) setMaxListeners(0, signal);
  const Agent = url.protocol === 'https:' ? https.Agent : http.Agent;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ...(options.insecure ? { rejectUnauthorized: false } : {}) });
  const started = performance.now();
  const deadline = durationMs === undefined ? Infinity : started + durationMs;
  const latencies: number[] = [];
  const summary: Omit<LoadSummary, 'latency' | 'ms' | 'perSecond'> = {
    units: 0,
    sent: 0,
    expected: 0,
    unexpected: 0,
    byStatus: {},
    errors: {},
    interrupted: false,
    inFlightWhenInterrupted: 0,
    firstFailure: null,
  };
  let next = 0;
  const take = (): number | null => {
    if (signal?.aborted || performance.now() >= deadline) return null;
    if (count !== undefined && next >= count) return null;
    return next++;
  };

  const worker = async () => {
    for (let index = take(); index !== null; index = take()) {
      if (ratePerSec) {
        const due = started + (index * 1000) / ratePerSec - performance.now();
        if (due > 0) await sleep(due, undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) return;
      }
      summary.units++;
      for (const planned of options.plan(index)) {
        if (planned.delayBeforeMs > 0) await sleep(planned.delayBeforeMs, undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) return;
        const result = await deliverOne(planned, url, { timeoutMs, signal, agent });
        if (result.shown !== null) continue; // an API answer: shown, not sent
        summary.sent++;
        if (result.error?.kind === 'aborted') {
          summary.inFlightWhenInterrupted++;
          return;
        }
        latencies.push(result.ms);
        if (result.status !== null) summary.byStatus[result.status] = (summary.byStatus[result.status] ?? 0) + 1;
        if (result.error) summary.errors[result.error.kind] = (summary.errors[result.error.kind] ?? 0) + 1;
        if (result.ok) summary.expected++;
        else {
          summary.unexpected++;
          summary.firstFailure ??= result;
        }
        options.onResult?.(result);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - started;
  summary.interrupted = Boolean(signal?.aborted);
  return { ...summary, latency: percentiles(latencies), ms: Math.round(ms), perSecond: Math.round((summary.sent / ms) * 1000 * 10) / 10 };
}

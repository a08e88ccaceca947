/** A load run's progress line and summary. */

import type { ChalkInstance } from 'chalk';
import type { LoadSummary } from '../../core/trigger/load.js';
import { painter } from '../palette.js';
import { visible } from '../sanitize.js';

const ms = (n: number) => (n >= 100 ? `${Math.round(n)}ms` : `${n.toFixed(1)}ms`);

export function progressLine(done: { sent: number; failures: number; elapsedMs: number }, total: number | undefined): string {
  const rate = done.elapsedMs > 0 ? Math.round((done.sent / done.elapsedMs) * 1000) : 0;
  const seconds = `${(done.elapsedMs / 1000).toFixed(1)}s`;
  if (total === undefined) return `${done.sent} sent · ${rate}/s · ${done.failures} failures · ${seconds}`;
  const width = 24;
  const filled = Math.min(width, Math.round((done.sent / total) * width));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done.sent}/${total} · ${rate}/s · ${done.failures} failures · ${seconds}`;
}

export function loadSummaryLines(summary: LoadSummary, c: ChalkInstance): string[] {
  const paint = painter(c);
  const statuses = Object.entries(summary.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status} ×${n}`);
  const errors = Object.entries(summary.errors).map(([kind, n]) => `${kind} ×${n}`);
  const l = summary.latency;
  const lines = [
    `${summary.sent} deliveries in ${(summary.ms / 1000).toFixed(1)}s: ${summary.perSecond}/s${summary.interrupted ? paint.warn(' (interrupted)') : ''}`,
    `${summary.unexpected === 0 ? paint.good(`answered as expected ${summary.expected}`) : `answered as expected ${summary.expected} · ${paint.bad(`not ${summary.unexpected}`)}`}` +
      (statuses.length ? ` · ${statuses.join(' · ')}` : '') +
      (errors.length ? ` · ${paint.bad(`no answer: ${errors.join(' · ')}`)}` : ''),
    `latency p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)} · max ${ms(l.max)}`,
  ];
  const cut = summary.inFlightWhenInterrupted;
  if (cut > 0) {
    lines.push(
      paint.warn(
        `${cut} in flight when interrupted: no answer was awaited, and the receiver may have processed ${cut === 1 ? 'it' : 'them'}`,
      ),
    );
  }
  const first = summary.firstFailure;
  if (first) {
    const answer = first.error ? first.error.message : `${first.status}${first.reply ? ` ${first.reply}` : ''}`;
    lines.push(paint.dim(`first failure: ${first.event} (${first.role}) expected ${first.expected}, got ${visible(answer)}`));
  }
  return lines;
}

export function loadJson(summary: LoadSummary): Record<string, unknown> {
  const { firstFailure, ...rest } = summary;
  return {
    summary: {
      ...rest,
      firstFailure: firstFailure && {
        event: firstFailure.event,
        status: firstFailure.status,
        expected: firstFailure.expected,
        error: firstFailure.error?.message ?? null,
      },
    },
  };
}

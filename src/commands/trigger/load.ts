/** `idpass trigger --count N`: a burst of signed deliveries, as a load generator with Prembly's verdicts. */

import { EVENT_NAMES, findEvent } from '../../core/delivery/catalog.js';
import { maskUrl } from '../../core/http/url.js';
import { parseEventPatterns } from '../../flags/domain.js';
import type { LoadSummary } from '../../core/trigger/load.js';
import type { PlannedDelivery } from '../../core/trigger/types.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { describeKeys } from '../program/keys.js';
import { waitForListener } from '../steps/wait-for-listener.js';
import type { TriggerCommandOptions } from './options.js';
import { tones } from '../../output/palette.js';

function eventsOf(options: TriggerCommandOptions): string[] {
  if (options.events && options.event)
    throw new UsageError('an event and --events together', 'name the one event, or the mix with --events');
  if (!options.events) {
    if (!options.event)
      throw new UsageError('which event? name one, or a mix with --events', 'idpass trigger --list shows every event name');
    return [options.event];
  }
  const filter = parseEventPatterns(options.events, '--events');
  return EVENT_NAMES.filter((name) => filter(name));
}

export async function runTriggerLoad(options: TriggerCommandOptions, io: IO): Promise<number> {
  const events = eventsOf(options);
  const plan = await loadPlanner(options, events);
  const { runLoad } = await import('../../core/trigger/load.js');
  const { loadJson, loadSummaryLines } = await import('../../output/render/load-report.js');
  const { resultJson } = await import('../../output/render/send-report.js');
  const { safeJson } = await import('../../output/sanitize.js');
  const term = await terminal(io, { color: options.color });
  const what = `${options.count ?? 'as many'} × ${events.length === 1 ? events[0] : `a mix of ${events.length} kinds`}${options.pendingFirst ? ' (pending → final pairs)' : ''}`;
  const pace = `${options.concurrency} at a time${options.rate ? `, at most ${options.rate}/s` : ''}`;
  io.stderr.write(
    tones(term.err).dim(`Sending ${what} to ${maskUrl(options.to)}, ${pace} (${options.scheme}, ${describeKeys(options)})`) + '\n',
  );
  await waitForListener(io, term.err, options.to, options.waitForListener);
  const progress = await progressLine(io, term.progress ? tones(term.err).dim : null, options.count);
  const summary = await runLoad({
    url: options.to,
    plan,
    count: options.count,
    durationMs: options.duration,
    concurrency: options.concurrency,
    ratePerSec: options.rate,
    timeoutMs: options.timeout,
    insecure: options.insecure,
    signal: io.signal,
    onResult: (result) => {
      progress.count(result.ok);
      if (options.jsonEach) writeLine(io.stdout, safeJson(resultJson(result)));
    },
  });
  progress.stop();
  if (options.json || options.jsonEach) writeLine(io.stdout, safeJson(loadJson(summary)));
  else for (const line of loadSummaryLines(summary, term.out)) writeLine(io.stdout, line);
  return loadExitCode(summary);
}

function loadExitCode(summary: LoadSummary): number {
  if (summary.interrupted) return ExitCode.interrupted;
  const unreachable = (summary.errors.refused ?? 0) + (summary.errors.dns ?? 0);
  if (summary.expected === 0 && unreachable > 0) return ExitCode.network;
  return summary.unexpected > 0 || summary.sent === 0 ? ExitCode.checkFailed : ExitCode.ok;
}

/** The plan for the n-th delivery of the run, checked once before anything is sent. */
async function loadPlanner(options: TriggerCommandOptions, events: string[]): Promise<(index: number) => PlannedDelivery[]> {
  const { planTrigger } = await import('../../core/trigger/plan.js');
  const { TriggerError } = await import('../../core/trigger/errors.js');
  const { triggerUsageError } = await import('./advice.js');
  const products = options.product ?? [];
  const plan = (index: number) => {
    const event = events[index % events.length]!;
    const product = findEvent(event)?.usesProduct && products.length ? products[index % products.length] : undefined;
    return planTrigger({
      event,
      product,
      set: options.set,
      unset: options.unset,
      scheme: options.scheme,
      publicKey: options.publicKey,
      livePublicKey: options.livePublicKey,
      key: options.key,
      shape: options.shape,
      pendingFirst: options.pendingFirst,
      pendingVia: options.pendingVia,
      pendingReason: options.pendingReason,
      delayMs: options.delay,
      tamper: options.tamper,
      expect: options.expectStatus,
    });
  };
  try {
    plan(0); // a request that makes no sense is refused before anything is sent
  } catch (error) {
    if (error instanceof TriggerError) throw triggerUsageError(error);
    throw error;
  }
  if (options.data || options.reference)
    throw new UsageError('--data and --reference send one body; a load run plans a fresh one each time', 'leave them out, or drop --count');
  return plan;
}

/** The progress line a terminal shows while the run goes (none elsewhere), rewritten every 100 ms. */
async function progressLine(io: IO, dim: ((text: string) => string) | null, total: number | undefined) {
  const { progressLine: describe } = await import('../../output/render/load-report.js');
  const progress = { sent: 0, failures: 0, elapsedMs: 0 };
  const started = performance.now();
  const timer = dim
    ? setInterval(() => io.stderr.write(`\r\x1b[2K${dim(describe({ ...progress, elapsedMs: performance.now() - started }, total))}`), 100)
    : null;
  return {
    count(ok: boolean) {
      progress.sent++;
      if (!ok) progress.failures++;
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      io.stderr.write('\r\x1b[2K');
    },
  };
}

/** Running the battery: one check at a time, each result as soon as it is known. */

import { maskUrl } from '../http/url.js';
import { battery, selectChecks, SENT_KINDS } from './battery.js';
import { DoctorContext, formatMs, SILENT_LIMIT } from './context.js';
import { DoctorError, type CheckResult, type DoctorOptions, type DoctorSummary } from './types.js';

/** The checks these options select, in order (throws DoctorError for an unknown name or event). */
export function plannedChecks(options: Pick<DoctorOptions, 'events' | 'only' | 'skip'>) {
  const events = options.events ?? SENT_KINDS;
  for (const event of events) {
    if (!SENT_KINDS.includes(event))
      throw new DoctorError('unknown-event', `"${event}" is not a kind Prembly sends as a webhook`, { detail: event });
  }
  return selectChecks(battery(events), options.only, options.skip);
}

/**
 * Runs the selected checks against the handler, yielding each result. Throws DoctorError
 * `unreachable` when nothing accepts connections at the URL (before or during the run).
 */
export async function* runChecks(options: DoctorOptions): AsyncGenerator<CheckResult> {
  const checks = plannedChecks(options);
  const ctx = new DoctorContext(options);
  for (const [index, check] of checks.entries()) {
    if (options.signal?.aborted) return;
    if (ctx.silent) {
      yield notRun(check, ctx.timeoutMs);
      continue;
    }
    options.onStart?.(check.id, index, checks.length);
    const started = performance.now();
    ctx.lastAnswerMs = null;
    const outcome = await check.run(ctx);
    if (options.signal?.aborted) return;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    yield {
      id: check.id,
      group: check.group,
      title: check.title,
      required: check.required,
      ms,
      answerMs: ctx.lastAnswerMs,
      timing: undefined,
      ...outcome,
    };
  }
}

/** A check left out because the handler stopped answering altogether. */
function notRun(check: { id: string; group: CheckResult['group']; title: string; required: boolean }, timeoutMs: number): CheckResult {
  return {
    id: check.id,
    group: check.group,
    title: check.title,
    required: check.required,
    verdict: 'skip',
    sent: 'nothing',
    got: `not run: the handler answered none of the last ${SILENT_LIMIT} deliveries within ${formatMs(timeoutMs)}, so the rest would only wait`,
    prembly: null,
    fix: 'make the handler answer at all (a crash, a deadlock, a response never ended?), then run doctor again',
    status: null,
    ms: 0,
  };
}

export function summarise(results: CheckResult[], url: URL | string, ms: number, strict = false): DoctorSummary {
  const count = (verdict: CheckResult['verdict']) => results.filter((r) => r.verdict === verdict).length;
  const failed = results.filter((r) => r.verdict === 'fail' && r.required).length;
  // a failed check that is not required counts as a warning
  const warnings = count('warn') + results.filter((r) => r.verdict === 'fail' && !r.required).length;
  return {
    url: maskUrl(url),
    passed: count('pass'),
    failed,
    warnings,
    skipped: count('skip'),
    ms: Math.round(ms),
    ok: failed === 0 && (!strict || warnings === 0),
    strict,
  };
}

/** Library entry point: runs the battery and returns every result and the summary. */
export async function doctor(options: DoctorOptions): Promise<{ results: CheckResult[]; summary: DoctorSummary }> {
  const started = performance.now();
  const results: CheckResult[] = [];
  for await (const result of runChecks(options)) results.push(result);
  return { results, summary: summarise(results, options.url, performance.now() - started, options.strict) };
}

/** `idpass doctor`'s report card: a heading per group, one line per check, and for failures and warnings what to do. */

import type { ChalkInstance } from 'chalk';
import type { CheckGroup, CheckResult, DoctorSummary } from '../../core/doctor/types.js';
import { painter, type Tone } from '../palette.js';
import { visible } from '../sanitize.js';
import { formatDuration } from './format.js';

const GROUP_HEADINGS: Record<CheckGroup, string> = {
  genuine: 'genuine deliveries: exactly 200 (any 2xx for workflow runs) within 10 s, signed with the key Prembly uses',
  schemes: 'legacy static signatures (advisory)',
  forgery: 'forgeries: refused with 401',
  'raw-bytes': 'raw bytes: verified as they came, not re-serialised',
  duplicates: 'duplicates: answered 200 and handled once',
  order: 'order and timing',
  size: 'size',
  speed: 'speed',
};

const MARK: Record<CheckResult['verdict'], [string, Tone]> = {
  pass: ['✔', 'good'],
  fail: ['✘', 'bad'],
  warn: ['!', 'warn'],
  skip: ['-', 'dim'],
};

export function groupHeading(group: CheckGroup, c: ChalkInstance): string {
  return painter(c).title(GROUP_HEADINGS[group]);
}

/** A check's lines: its verdict and answer, then (unless it passed cleanly) what was sent, Prembly's view and the fix. */
export function checkLines(result: CheckResult, c: ChalkInstance, idWidth = 0): string[] {
  const paint = painter(c);
  // a check that is not required never fails the run: it shows as a warning
  const verdict = result.verdict === 'fail' && !result.required ? 'warn' : result.verdict;
  const [mark, tone] = MARK[verdict];
  const lines = [`  ${paint[tone](mark)} ${result.id.padEnd(idWidth)}  ${paint.dim(visible(result.got))}`];
  if (verdict === 'pass' || verdict === 'skip') {
    if (result.fix) lines.push(`      ${paint.dim(`note  ${visible(result.fix)}`)}`);
    return lines;
  }
  lines.push(`      ${paint.dim('check')}    ${result.title}`);
  if (result.sent) lines.push(`      ${paint.dim('sent')}     ${visible(result.sent)}`);
  if (result.prembly) lines.push(`      ${paint.dim('Prembly')}  ${visible(result.prembly)}`);
  if (result.fix) lines.push(`      ${paint.dim('fix')}      ${paint[tone](visible(result.fix))}`);
  return lines;
}

export function summaryLine(summary: DoctorSummary, total: number, c: ChalkInstance): string {
  const paint = painter(c);
  const parts = [
    paint.good(`${summary.passed} passed`),
    summary.failed ? paint.bad(`${summary.failed} failed`) : `${summary.failed} failed`,
    summary.warnings ? paint.warn(`${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`) : '0 warnings',
  ];
  const verdict = summary.ok
    ? paint.good('ready for Prembly')
    : paint.bad(summary.failed ? 'not ready: fix the failures above' : 'not ready under --strict: see the warnings above');
  return `${total} check${total === 1 ? '' : 's'}: ${parts.join(' · ')} in ${formatDuration(summary.ms)} · ${verdict}`;
}

/** A check result as one JSON object (the summary follows as `{ summary }`). */
export function checkJson(result: CheckResult): Record<string, unknown> {
  const { id, group, title, verdict, required, sent, got, prembly, fix, status, ms, answerMs, timing } = result;
  // two times, each named: the check as a whole (checkMs, also ms as before) and the handler's answer to its last request
  return {
    id,
    group,
    title,
    verdict,
    required,
    status,
    ms,
    checkMs: ms,
    answerMs: answerMs ?? null,
    sent,
    got,
    prembly,
    fix,
    ...(timing ? { timing } : {}),
  };
}

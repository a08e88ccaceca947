import type { ChalkInstance } from 'chalk';
import type { DeliveryResult, PlannedDelivery } from '../core/trigger.js';
import { formatDuration } from '../core/units.js';
import { ExitCode } from '../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../output/io.js';

/** Sends planned deliveries one by one and reports each as trigger does; returns the exit code. */
export interface SendReportOptions {
  io: IO;
  json: boolean;
  color: boolean;
  timeoutMs: number;
  /** One line of talk (stderr) before sending. */
  intro: string;
}

export async function sendAndReport(planned: PlannedDelivery[], to: URL, { io, json, color, timeoutMs, intro }: SendReportOptions): Promise<number> {
  const { sendPlanned } = await import('../core/trigger.js');
  const out = await loadChalk(colorLevel(io, io.stdout, !color));
  const err = await loadChalk(colorLevel(io, io.stderr, !color));
  io.stderr.write(err.dim(intro) + '\n');

  const results: DeliveryResult[] = [];
  let index = 0;
  for await (const result of sendPlanned(planned, to, { timeoutMs, signal: io.signal })) {
    results.push(result);
    if (json) writeLine(io.stdout, JSON.stringify(toJson(result)));
    else printResult(result, io, out);
    const next = planned[++index];
    if (next && next.delayBeforeMs > 0 && !io.signal.aborted) {
      io.stderr.write(err.dim(`waiting ${formatDuration(next.delayBeforeMs)} before the ${next.role} delivery…`) + '\n');
    }
  }
  if (io.signal.aborted) return ExitCode.interrupted;

  const failed = results.filter((r) => !r.ok).length;
  const unsent = planned.length - results.length;
  if (planned.length > 1 || failed > 0) {
    const parts = [`${results.length - failed} ok`, failed ? `${failed} failed` : '', unsent ? `${unsent} not sent` : ''].filter(Boolean);
    io.stderr.write(`${planned.length} ${planned.length === 1 ? 'delivery' : 'deliveries'}: ${parts.join(', ')}\n`);
  }
  if (results.some((r) => r.error && !r.error.connected)) return ExitCode.network;
  return failed > 0 || unsent > 0 ? ExitCode.checkFailed : ExitCode.ok;
}

function toJson(result: DeliveryResult) {
  return {
    event: result.event,
    reference: result.reference,
    token: result.token,
    url: result.url,
    status: result.status,
    ok: result.ok,
    ms: result.ms,
    expected: result.expected,
    role: result.role,
    tamper: result.tamper,
    ...(result.reply !== null ? { reply: result.reply } : {}),
    ...(result.error ? { error: result.error.message, errorKind: result.error.kind } : {}),
    ...(result.hint ? { hint: result.hint } : {}),
  };
}

const ROLE_NOTES: Record<DeliveryResult['role'], string> = {
  single: '',
  pending: 'pending, 1 of 2',
  final: 'final, 2 of 2, is_callback_retry',
  original: 'replay test, first send',
  replay: 'replay test, same token again',
  resend: 'resent from the store',
};

function printResult(result: DeliveryResult, io: IO, c: ChalkInstance): void {
  const mark = result.ok ? c.green('✔') : c.red('✘');
  const notes = [ROLE_NOTES[result.role], result.tamper && result.tamper !== 'replay' ? `tamper: ${result.tamper}` : ''].filter(Boolean);
  const label = c.bold(result.event) + (notes.length ? c.dim(` (${notes.join(', ')})`) : '');
  let status: string;
  if (result.status !== null) {
    const text = String(result.status);
    status = result.ok ? c.green(text) : c.red(text) + c.dim(` expected ${result.expected}`);
  } else {
    status = c.red(result.error?.kind === 'timeout' ? 'timeout' : 'no reply');
  }
  const ref = result.reference ? `ref ${result.reference}` : 'no reference';
  writeLine(io.stdout, `${mark} ${label}  ${status}  ${c.dim(ref)}  → ${result.url}  ${c.dim(`${result.ms}ms`)}`);
  if (result.error) writeLine(io.stdout, `    ${c.red(result.error.message)}`);
  if (result.reply !== null) writeLine(io.stdout, `    reply: ${result.reply === '' ? c.dim('(empty)') : result.reply}`);
  if (result.hint) writeLine(io.stdout, `    ${c.yellow('hint:')} ${result.hint}`);
}

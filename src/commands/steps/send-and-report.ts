import type { PlannedDelivery } from '../../core/trigger/types.js';
import type { DeliveryResult } from '../../core/trigger/send.js';
import { ExitCode } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { waitForListener } from './wait-for-listener.js';
import { formatDuration } from '../../output/render/format.js';
import { resultJson, resultLines, sendSummary, type SigningKeys } from '../../output/render/send-report.js';
import { safeJson } from '../../output/sanitize.js';
import { tones } from '../../output/palette.js';

/** Sends planned deliveries one by one and reports each as trigger does; returns the exit code. */
export interface SendReportOptions {
  io: IO;
  json: boolean;
  color: boolean;
  timeoutMs: number;
  /** One line of talk (stderr) before sending. */
  intro: string;
  /** Retry a refused connection this long before the first delivery. */
  waitForListenerMs?: number;
  /** Accept a self-signed certificate on an HTTPS receiver. */
  insecure?: boolean;
  /** The keys it signed with: a refusal then says whose key it was. */
  keys?: SigningKeys;
}

export async function sendAndReport(
  planned: PlannedDelivery[],
  to: URL,
  { io, json, color, timeoutMs, intro, waitForListenerMs, insecure, keys }: SendReportOptions,
): Promise<number> {
  const { sendPlanned } = await import('../../core/trigger/send.js');
  const { out, err } = await terminal(io, { color });
  io.stderr.write(tones(err).dim(intro) + '\n');
  await waitForListener(io, err, to, waitForListenerMs);

  const results: DeliveryResult[] = [];
  let index = 0;
  for await (const result of sendPlanned(planned, to, { timeoutMs, signal: io.signal, insecure })) {
    results.push(result);
    if (json) writeLine(io.stdout, safeJson(resultJson(result, keys)));
    else for (const line of resultLines(result, out, keys)) writeLine(io.stdout, line);
    const next = planned[++index];
    if (next && next.delayBeforeMs > 0 && !io.signal.aborted) {
      io.stderr.write(tones(err).dim(`waiting ${formatDuration(next.delayBeforeMs)} before the ${next.role} delivery…`) + '\n');
    }
  }
  if (io.signal.aborted) {
    const unsent = planned.slice(results.length).map((p) => `${p.event} (${p.role})`);
    io.stderr.write(tones(err).warn(`interrupted${unsent.length ? `: not sent: ${unsent.join(', ')}` : ''}`) + '\n');
    return ExitCode.interrupted;
  }

  const failed = results.filter((r) => !r.ok).length;
  const summary = sendSummary(planned.length, results.length, failed);
  if (summary) io.stderr.write(summary + '\n');
  if (results.some((r) => r.error && !r.error.connected)) return ExitCode.network;
  return failed > 0 || results.length < planned.length ? ExitCode.checkFailed : ExitCode.ok;
}

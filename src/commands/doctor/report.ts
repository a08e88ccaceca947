/** Runs the battery and prints the card (or JSON lines), the JUnit file and the exit code. */

import type { ChalkInstance } from 'chalk';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { DoctorError, type CheckGroup, type CheckResult } from '../../core/doctor/types.js';
import { runChecks, summarise } from '../../core/doctor/run.js';
import { maskUrl } from '../../core/http/url.js';
import { CliError, ExitCode } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { checkJson, checkLines, groupHeading, summaryLine } from '../../output/render/doctor-card.js';
import { formatDuration } from '../../output/render/format.js';
import { junitXml } from '../../output/render/junit.js';
import { safeJson } from '../../output/sanitize.js';
import { describeKeys } from '../program/keys.js';
import { waitForListener } from '../steps/wait-for-listener.js';
import type { DoctorOptions } from './options.js';
import { tones } from '../../output/palette.js';

type RunOptions = Omit<DoctorOptions, 'events' | 'url'> & { url: URL; events?: string[] };

/** Writes the JUnit file privately, refusing to follow a link planted at its path. */
function writeReport(path: string, text: string): void {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO with no reader is refused at once instead of blocking the process (and its signals)
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw Object.assign(new Error('not a regular file'), { code: 'NOTREG' });
    }
    ftruncateSync(fd, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ELOOP'
        ? 'it is a symbolic link, which idpass does not follow'
        : code === 'ENXIO' || code === 'NOTREG'
          ? 'it is not a regular file (a FIFO or a device?)'
          : (code ?? String(error));
    throw new CliError(
      `cannot write the JUnit report ${path}: ${why}`,
      ExitCode.usage,
      'give a path to a regular file in a folder you can write',
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export async function runChecksAndReport(options: RunOptions, planned: { id: string; group: CheckGroup }[], io: IO): Promise<number> {
  const total = planned.length;
  const { out, err, progress } = await terminal(io, options);
  const clearProgress = () => progress && io.stderr.write('\r\x1b[2K');
  const within = `${total} check${total === 1 ? '' : 's'}, answers within ${formatDuration(options.timeout)}`;
  io.stderr.write(tones(err).dim(`idpass doctor → ${maskUrl(options.url)} (${describeKeys(options)}; ${within})`) + '\n');
  await waitForListener(io, err, options.url, options.waitForListener);

  const started = performance.now();
  const results: CheckResult[] = [];
  const card = cardRenderer(io, out, Boolean(options.json), planned);
  try {
    const checks = runChecks({
      ...options,
      timeoutMs: options.timeout,
      only: options.only?.flat(),
      skip: options.skip?.flat(),
      signal: io.signal,
      onStart: (id, index) => progress && io.stderr.write(`\r\x1b[2K${tones(err).dim(`checking ${index + 1}/${total} ${id}…`)}`),
    });
    for await (const result of checks) {
      results.push(result);
      clearProgress();
      card.fact(result);
    }
  } catch (error) {
    clearProgress();
    throw doctorError(error, results.length, total, options.waitForListener !== undefined);
  }
  clearProgress();
  const summary = summarise(results, options.url, performance.now() - started, Boolean(options.strict));
  // interrupted or not, CI gets the report of what ran
  if (options.junit) writeReport(options.junit, junitXml(results, summary));
  if (io.signal.aborted) {
    io.stderr.write(tones(err).warn(`interrupted: ${total - results.length} of ${total} checks not run`) + '\n');
    return ExitCode.interrupted;
  }
  if (options.json) writeLine(io.stdout, safeJson({ summary }));
  else writeLine(io.stdout, '\n' + summaryLine(summary, results.length, out));
  return summary.ok ? ExitCode.ok : ExitCode.checkFailed;
}

/** The card as results land: a heading per group, each check's lines (ids aligned within the group), or a JSON line each. */
function cardRenderer(io: IO, out: ChalkInstance, json: boolean, planned: { id: string; group: CheckGroup }[]) {
  const width = (g: CheckGroup) => Math.max(0, ...planned.filter((p) => p.group === g).map((p) => p.id.length));
  let group: CheckGroup | null = null;
  return {
    fact(result: CheckResult) {
      if (json) return writeLine(io.stdout, safeJson(checkJson(result)));
      if (result.group !== group) {
        if (group !== null) writeLine(io.stdout);
        group = result.group;
        writeLine(io.stdout, groupHeading(group, out));
      }
      for (const line of checkLines(result, out, width(result.group))) writeLine(io.stdout, line);
    },
  };
}

/** A core error from the battery, in the CLI's words. */
function doctorError(error: unknown, done: number, total: number, waited: boolean): unknown {
  if (!(error instanceof DoctorError)) return error;
  if (error.code === 'unreachable') {
    // past the first check it answered before: the handler crashed (or was stopped), which waiting longer would not mend
    const during = done > 0 ? ` (it stopped accepting connections after ${done} of ${total} checks: it crashed or was stopped)` : '';
    const hint =
      done > 0
        ? 'look in your app’s logs for the crash at the check named above, fix it, and run doctor again'
        : waited
          ? 'it never came up within --wait-for-listener: check that your app starts and listens on that port'
          : 'start your app first, or add --wait-for-listener 30s';
    return new CliError(`cannot reach the handler: ${error.message}${during}`, ExitCode.network, hint);
  }
  return new CliError(error.message, ExitCode.usage, 'idpass doctor --help shows the flags');
}

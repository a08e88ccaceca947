/** Exit codes and the errors that carry them: the one place either is decided. */

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  network: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: shown as one line (plus a hint), never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line or configuration is wrong; the message says how to fix it. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** Turns anything thrown into an exit code and the lines to print on stderr. */
export function describeError(error: unknown, debug: boolean): { exitCode: ExitCode; lines: string[] } {
  if (error instanceof CliError) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    if (debug && error.stack) lines.push(error.stack);
    return { exitCode: error.exitCode, lines };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const lines = [`error: unexpected failure: ${err.message}`];
  lines.push(debug && err.stack ? err.stack : 'hint: run again with --debug for the details, and report it if it keeps happening');
  return { exitCode: ExitCode.checkFailed, lines };
}

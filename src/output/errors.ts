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
  const known = fileProblem(error);
  if (known) return describeError(known, debug);
  const err = error instanceof Error ? error : new Error(String(error));
  const lines = [`error: unexpected failure: ${err.message}`];
  lines.push(debug && err.stack ? err.stack : 'hint: run again with --debug for the details, and report it if it keeps happening');
  return { exitCode: ExitCode.checkFailed, lines };
}

/**
 * A file or folder that is not what it should be (IDPASS_HOME a file, the store a folder or a FIFO,
 * a folder nobody may write): the user's to fix, so said as such instead of "unexpected failure".
 */
function fileProblem(error: unknown): CliError | null {
  if (!(error instanceof Error)) return null;
  if (error.name === 'StoreError')
    return new UsageError(error.message, 'set IDPASS_HOME to a folder of your own, or remove what is in the way');
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (!path || !code) return null;
  const where = `${path}${syscall ? ` (${syscall})` : ''}`;
  const why: Record<string, string> = {
    ENOTDIR: 'a part of that path is a file, not a folder',
    EISDIR: 'it is a folder, not a file',
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
  };
  if (!why[code]) return null;
  return new UsageError(`cannot use ${where}: ${why[code]}`, 'point IDPASS_HOME (or the path you gave) at a folder you can write');
}

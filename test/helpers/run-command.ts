import { main } from '../../src/cli.js';
import { createFakeIO, type FakeIO, type FakeIOOptions } from '../../src/output/fake-io.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  io: FakeIO;
}

/** Runs the CLI in this process with a fake IO, as gh tests a command's run function. */
export async function runCommand(
  argv: string[],
  options: FakeIOOptions & { whileRunning?: (io: FakeIO) => void } = {},
): Promise<CommandResult> {
  const io = createFakeIO({ ...options, env: { NO_COLOR: '1', ...options.env } });
  const running = main(argv, io);
  options.whileRunning?.(io);
  const code = await running;
  return { code, stdout: io.out(), stderr: io.err(), io };
}

/**
 * The built CLI's contract, run in this process: the same arguments, environment (this process's,
 * colour off) and stdin as `runCli`, the same result shape. For tests that check a command's
 * output and exit code; signals, terminals and the built bin itself keep `runCli`.
 */
export async function runInProcess(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<{ code: number; signal: null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const io = createFakeIO({ env: env as NodeJS.ProcessEnv, input: options.input ?? '' });
  // commander reads an option's environment variable (Option.env) from process.env itself: the
  // given variables stand there while the command runs (a file's tests run one at a time)
  const saved = Object.entries(options.env ?? {}).map(([key]) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let code: number;
  try {
    code = await main(args, io);
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  // lines written in the last tick leave on the next one (lineBatch)
  await new Promise((resolve) => setImmediate(resolve));
  return { code, signal: null, stdout: io.out(), stderr: io.err() };
}

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

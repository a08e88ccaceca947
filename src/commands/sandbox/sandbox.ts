/** `idpass sandbox`: the Prembly verification API on loopback, delivering the webhooks that follow. */

import { DEFAULT_HOST, DEFAULT_SANDBOX_PORT, SANDBOX_PENDING_DELAY_MS, SANDBOX_SLOW_DELAY_MS } from '../../core/common/defaults.js';
import type { Sandbox } from '../../core/sandbox/sandbox.js';
import { parseTimeScale, parseWebhookUrl } from '../../flags/domain.js';
import { exposedHostWarning, parseDuration, parseHost, parsePort, parseCount } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { Command, Option } from '../program/commander.js';
import { checkKeys, describeKeys } from '../program/keys.js';
import { addSharedOptions, argParser, type CommandContext, type RunCommand } from '../program/shared-flags.js';
import { announceReady } from '../steps/ready-file.js';
import { interrupted } from '../steps/stop.js';
import type { SandboxOptions } from './options.js';
import { tones } from '../../output/palette.js';

export function createSandboxCommand(ctx: CommandContext, run: RunCommand<SandboxOptions> = runSandbox): Command {
  const command = new Command('sandbox')
    .description(
      'A local stand-in for the Prembly verification API: point your app at it, verify the magic test numbers, and get the webhooks Prembly would send ' +
        '(signed per kind, its delivery rules and retry schedule). Admin API under /__idpass/.\n' +
        'Exit codes: 0 stopped (Ctrl-C, SIGTERM), 2 bad usage or the port is taken.',
    )
    .addOption(
      new Option('-p, --port <n>', 'port to listen on (0 picks a free one)')
        .env('IDPASS_SANDBOX_PORT')
        .default(DEFAULT_SANDBOX_PORT)
        .argParser(argParser(parsePort)),
    )
    .addOption(new Option('--host <addr>', 'address to bind').default(DEFAULT_HOST).argParser(argParser(parseHost)))
    .addOption(
      new Option('--webhook-url <url>', 'where webhooks go (also settable at run time: PUT /__idpass/webhook-url)').argParser(
        argParser(parseWebhookUrl),
      ),
    )
    .addOption(
      new Option('--api-key <key>', 'the secret key your app sends as x-api-key (default: any key-shaped value)').env(
        'IDPASS_SANDBOX_API_KEY',
      ),
    )
    .addOption(
      new Option('--pending-delay <duration>', 'how long after a 02/03 answer the result follows by webhook')
        .default(SANDBOX_PENDING_DELAY_MS, '10s')
        .argParser(argParser(parseDuration)),
    )
    .addOption(
      new Option('--slow-delay <duration>', 'how long the slow magic number takes to answer')
        .default(SANDBOX_SLOW_DELAY_MS, '5s')
        .argParser(argParser(parseDuration)),
    )
    .addOption(
      new Option('--time-scale <n>', 'compress every wait: 60 turns an hour into a minute').default(1).argParser(argParser(parseTimeScale)),
    )
    .addOption(
      new Option(
        '--rate-limit <n>',
        'answer 429 (with Retry-After) past n calls per second per API key, for testing back-off (off by default)',
      ).argParser(argParser(parseCount)),
    )
    .option('--numbers', 'print the magic test numbers and what each does, and exit')
    .option('--ready-file <path>', 'once listening, write {"url","port","pid"} here; removed on exit');
  addSharedOptions(command, { scheme: false });
  command.action(async (flags: SandboxOptions) => {
    ctx.exitCode = await run(flags, ctx.io);
  });
  return command;
}

export async function runSandbox(options: SandboxOptions, io: IO): Promise<number> {
  if (options.numbers) return printNumbers(options, io);
  checkKeys(options, io);
  const { createSandbox } = await import('../../core/sandbox/sandbox.js');
  const { sandboxBanner, sandboxRenderer, sandboxStopped } = await import('../../output/render/sandbox-lines.js');
  const term = await terminal(io, options);
  const sandbox = createSandbox({
    publicKey: options.publicKey,
    livePublicKey: options.livePublicKey,
    webhookUrl: options.webhookUrl ?? null,
    apiKey: options.apiKey,
    pendingDelayMs: options.pendingDelay,
    slowDelayMs: options.slowDelay,
    timeScale: options.timeScale,
    rateLimitPerSecond: options.rateLimit,
  });
  const renderer = sandboxRenderer(io, Boolean(options.json), term.out);
  sandbox.on('fact', renderer.fact);
  const url = await start(sandbox, options);
  const removeReadyFile = await announceReady(options.readyFile, { url, port: Number(new URL(url).port), close: () => sandbox.close() });
  const banner = { url, exposed: exposedHostWarning(options.host), apiKey: Boolean(options.apiKey), keys: describeKeys(options) };
  const talk = (line: string) => writeLine(io.stderr, line);
  sandboxBanner(term.out, {
    ...banner,
    webhookUrl: options.webhookUrl ?? null,
    pendingDelayMs: options.pendingDelay,
    timeScale: options.timeScale,
  }).forEach(talk);
  const stopReading = io.stdin.isTTY ? await readTerminalCommands(sandbox, io, tones(term.out).dim) : () => undefined;
  talk(tones(term.out).dim('Ctrl-C to stop.'));
  await interrupted(io.signal);
  stopReading();
  const cancelled = await sandbox.close();
  await renderer.close();
  await removeReadyFile();
  talk(sandboxStopped(term.out, cancelled));
  return ExitCode.ok;
}

/** The commands a person can type at the sandbox's terminal. */
async function readTerminalCommands(sandbox: Sandbox, io: IO, dim: (text: string) => string): Promise<() => void> {
  const { acceptCommands, TERMINAL_HELP } = await import('./terminal.js');
  const stop = acceptCommands(sandbox, io, (line) => io.stderr.write(line + '\n'));
  writeLine(io.stderr, dim(TERMINAL_HELP));
  return stop;
}

/** Binds the sandbox, turning bind failures into usage errors that say what to do. */
async function start(sandbox: Sandbox, options: SandboxOptions): Promise<string> {
  const { SandboxError } = await import('../../core/sandbox/sandbox.js');
  try {
    return await sandbox.start({ port: options.port, host: options.host });
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    const hint = error.code === 'port-in-use' ? 'another program has that port: --port 0 picks a free one' : 'check --host and --port';
    throw new UsageError(error.message, hint);
  }
}

async function printNumbers(options: SandboxOptions, io: IO): Promise<number> {
  const { MAGIC_NUMBERS, DOCUMENTED_NUMBERS, SANDBOX_PREFIXES } = await import('../../core/sandbox/identities.js');
  for (const m of MAGIC_NUMBERS) writeLine(io.stdout, options.json ? JSON.stringify(m) : `${m.number}  ${m.code}  ${m.what}`);
  if (options.json) return ExitCode.ok;
  writeLine(io.stdout, `the docs' test values (${DOCUMENTED_NUMBERS.join(', ')}): 00, a match`);
  writeLine(
    io.stdout,
    `sandbox identities (${SANDBOX_PREFIXES.map((p) => p.what).join('; ')}): 00, a made-up identity derived from the number (the same number, the same identity)`,
  );
  writeLine(
    io.stdout,
    'any other well-formed number: 01, not found; a malformed one (a 10-digit BVN, invalid_nin_123): HTTP 400, response code 05',
  );
  return ExitCode.ok;
}

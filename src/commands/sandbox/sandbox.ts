import { exposedHostWarning, parseDuration, parseHttpUrl, parseHost, parsePort, ValueError } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../../output/io.js';
import { Command, Option } from '../program/commander.js';
import { addSharedOptions, argParser, type CommandContext, type SharedOptions } from '../program/shared-flags.js';
import { checkKeys, describeKeys } from '../program/keys.js';

/** `idpass sandbox`: the Prembly verification API on loopback, delivering the webhooks that follow. */

export interface SandboxCliOptions extends Omit<SharedOptions, 'scheme'> {
  port: number;
  host: string;
  webhookUrl?: URL;
  apiKey?: string;
  pendingDelay: number;
  slowDelay: number;
  timeScale: number;
  numbers?: boolean;
  readyFile?: string;
}

function parseScale(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1 || n > 100_000)
    throw new ValueError(`"${text}" is not a time scale: use a number from 1 (real time) to 100000`);
  return n;
}

export function createSandboxCommand(ctx: CommandContext): Command {
  const command = new Command('sandbox')
    .description(
      'A local stand-in for the Prembly verification API: point your app at it, verify the magic test numbers, and get the webhooks Prembly would send ' +
        '(signed per kind, its delivery rules and retry schedule). Admin API under /__idpass/.\n' +
        'Exit codes: 0 stopped (Ctrl-C, SIGTERM), 2 bad usage or the port is taken.',
    )
    .addOption(
      new Option('-p, --port <n>', 'port to listen on (0 picks a free one)')
        .env('IDPASS_SANDBOX_PORT')
        .default(4568)
        .argParser(argParser(parsePort)),
    )
    .addOption(new Option('--host <addr>', 'address to bind').default('127.0.0.1').argParser(argParser(parseHost)))
    .addOption(
      new Option('--webhook-url <url>', 'where webhooks go (also settable at run time: PUT /__idpass/webhook-url)').argParser(
        argParser((t) => parseHttpUrl(t, '--webhook-url')),
      ),
    )
    .addOption(
      new Option('--api-key <key>', 'the secret key your app sends as x-api-key (default: any key-shaped value)').env(
        'IDPASS_SANDBOX_API_KEY',
      ),
    )
    .addOption(
      new Option('--pending-delay <duration>', 'how long after a 02/03 answer the result follows by webhook')
        .default(10_000, '10s')
        .argParser(argParser(parseDuration)),
    )
    .addOption(
      new Option('--slow-delay <duration>', 'how long the slow magic number takes to answer')
        .default(5_000, '5s')
        .argParser(argParser(parseDuration)),
    )
    .addOption(
      new Option('--time-scale <n>', 'compress every wait: 60 turns an hour into a minute').default(1).argParser(argParser(parseScale)),
    )
    .option('--numbers', 'print the magic test numbers and what each does, and exit')
    .option('--ready-file <path>', 'once listening, write {"url","port","pid"} here; removed on exit');
  addSharedOptions(command, { scheme: false });
  command.action(async (flags: SandboxCliOptions) => {
    ctx.exitCode = await runSandbox(flags, ctx.io);
  });
  return command;
}

export async function runSandbox(options: SandboxCliOptions, io: IO): Promise<number> {
  const { MAGIC_NUMBERS } = await import('../../core/sandbox/identities.js');
  if (options.numbers) {
    for (const m of MAGIC_NUMBERS) writeLine(io.stdout, options.json ? JSON.stringify(m) : `${m.number}  ${m.code}  ${m.what}`);
    if (!options.json)
      writeLine(
        io.stdout,
        'any other number: 00, a match with a made-up identity derived from the number (the same number, the same identity)',
      );
    return ExitCode.ok;
  }
  checkKeys(options, io);
  const { createSandbox, SandboxError } = await import('../../core/sandbox/sandbox.js');
  const { sandboxJson, sandboxLine } = await import('../../output/render/sandbox-lines.js');
  const { safeJson } = await import('../../output/sanitize.js');
  const out = await loadChalk(colorLevel(io, io.stdout, !options.color));
  const sandbox = createSandbox({
    publicKey: options.publicKey,
    livePublicKey: options.livePublicKey,
    webhookUrl: options.webhookUrl ?? null,
    apiKey: options.apiKey,
    pendingDelayMs: options.pendingDelay,
    slowDelayMs: options.slowDelay,
    timeScale: options.timeScale,
  });
  sandbox.on('fact', (fact) => {
    if (options.json) return writeLine(io.stdout, safeJson(sandboxJson(fact)));
    const line = sandboxLine(fact, out);
    if (line) writeLine(io.stdout, line);
  });
  let url: string;
  try {
    url = await sandbox.start({ port: options.port, host: options.host });
  } catch (error) {
    if (error instanceof SandboxError) {
      throw new UsageError(
        error.message,
        error.code === 'port-in-use' ? 'another program has that port: --port 0 picks a free one' : 'check --host and --port',
      );
    }
    throw error;
  }
  const { writeReadyFile } = await import('../steps/ready-file.js');
  if (options.readyFile) await writeReadyFile(options.readyFile, url, Number(new URL(url).port));
  const talk = (line: string) => io.stderr.write(out.dim(line) + '\n');
  const exposed = exposedHostWarning(options.host);
  if (exposed)
    io.stderr.write(
      out.yellow(
        `warning: ${exposed.replace('this listener', 'the sandbox API')} (its /__idpass/ admin API still answers this machine only)`,
      ) + '\n',
    );
  talk(`idpass sandbox ${url}  (the Prembly verification API, locally)`);
  talk(
    `  point your app at it: PREMBLY_BASE_URL=${url}; any key-shaped x-api-key${options.apiKey ? ' equal to --api-key' : ''} is accepted`,
  );
  talk(
    `  webhooks → ${options.webhookUrl ? options.webhookUrl.href : 'nowhere yet (--webhook-url, or PUT /__idpass/webhook-url)'}  (${describeKeys(options)})`,
  );
  talk(
    `  00000000002: PENDING, then the result by webhook after ${options.pendingDelay / 1000}s${options.timeScale !== 1 ? ` ÷ ${options.timeScale}` : ''} · idpass sandbox --numbers lists every magic number`,
  );
  let stopReading: () => void = () => undefined;
  if (io.stdin.isTTY) {
    const { acceptCommands, TERMINAL_HELP } = await import('./terminal.js');
    stopReading = acceptCommands(sandbox, io, (line) => io.stderr.write(line + '\n'));
    talk(TERMINAL_HELP);
  }
  talk('Ctrl-C to stop.');
  await new Promise<void>((resolve) =>
    io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  stopReading();
  const cancelled = await sandbox.close();
  if (options.readyFile) await (await import('node:fs/promises')).rm(options.readyFile, { force: true });
  const pending = cancelled.map((d) => `${d.event} ${d.id}`);
  talk(
    `stopped${pending.length ? `: ${pending.length} scheduled webhook${pending.length === 1 ? '' : 's'} cancelled, never sent: ${pending.join(', ')}` : ': no webhook was waiting'}`,
  );
  return ExitCode.ok;
}

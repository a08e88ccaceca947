import { packageVersion } from './commands/program/version.js';
import { Command, CommanderError } from './commands/program/commander.js';
import type { CommandContext } from './commands/program/shared-flags.js';
import { describeError, ExitCode } from './output/errors.js';
import { processIO, type IO } from './output/io.js';
import { visible } from './output/sanitize.js';

type CommandFactory = (ctx: CommandContext) => Command;

/**
 * Every command, in the order `--help` lists them. Only the command being run is loaded; the
 * others stand in as name and summary, which is all `idpass --help` needs (startup is a feature).
 */
const COMMANDS: { name: string; term: string; summary: string; load(): Promise<CommandFactory> }[] = [
  {
    name: 'listen',
    term: 'listen [options]',
    summary: 'receive Identitypass deliveries locally: verify, explain, forward, record',
    load: async () => (await import('./commands/listen/listen.js')).createListenCommand,
  },
  {
    name: 'trigger',
    term: 'trigger [options] [event]',
    summary: 'send a correctly signed sample delivery to a URL',
    load: async () => (await import('./commands/trigger/trigger.js')).createTriggerCommand,
  },
  {
    name: 'doctor',
    term: 'doctor [options] [url]',
    summary: 'check a running webhook handler against what Prembly needs: a report card',
    load: async () => (await import('./commands/doctor/doctor.js')).createDoctorCommand,
  },
  {
    name: 'sandbox',
    term: 'sandbox [options]',
    summary: 'a local stand-in for the Prembly API that answers verifications and delivers the webhooks',
    load: async () => (await import('./commands/sandbox/sandbox.js')).createSandboxCommand,
  },
  {
    name: 'events',
    term: 'events <command>',
    summary: 'list, show, resend and clear recorded deliveries',
    load: async () => (await import('./commands/events/events.js')).createEventsCommand,
  },
  {
    name: 'relay',
    term: 'relay <command>',
    summary: 'a self-hosted server that keeps every delivery while you are away, for listen --relay',
    load: async () => (await import('./commands/relay/relay.js')).createRelayCommand,
  },
  {
    name: 'inspect',
    term: 'inspect [options]',
    summary: 'the web inspector over the recorded deliveries: browse, compare, resend, copy as curl, export',
    load: async () => (await import('./commands/inspect/inspect.js')).createInspectCommand,
  },
  {
    name: 'verify',
    term: 'verify [options]',
    summary: 'check a captured delivery’s signature offline and explain it',
    load: async () => (await import('./commands/verify/verify.js')).createVerifyCommand,
  },
];

/** The command a command line runs (`idpass help trigger` counts as trigger), if any. */
function commandNamed(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

export { packageVersion };

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function configure(command: Command, io: IO): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // commander echoes the value it refused: a value can hold controls, shown as escapes like every wire string
      writeErr: (text) => io.stderr.write(text.split('\n').map(visible).join('\n')),
    })
    .showHelpAfterError(`(${fullName(command)} --help shows the usage)`);
}

/** The program; only the command `argv` names is loaded, unless `all` (the docs generator wants every one). */
export async function buildProgram(ctx: CommandContext, argv: string[] = [], { all = false } = {}): Promise<Command> {
  const program = new Command('idpass')
    .description(
      'Test Identitypass (Prembly) identity-verification webhooks: receive real deliveries locally, send signed samples anywhere.',
    )
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpCommand(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok · 1 what was checked failed · 2 usage or configuration error · 3 network error · 130 interrupted',
    )
    .configureHelp({ subcommandTerm: (command) => COMMANDS.find((c) => c.name === command.name())?.term ?? command.name() });
  const wanted = commandNamed(argv);
  for (const entry of COMMANDS) {
    const command = all || entry.name === wanted ? (await entry.load())(ctx) : new Command(entry.name);
    program.addCommand(command.summary(entry.summary));
  }
  // every level, subcommands included, reports through the same streams and never exits
  const configureAll = (command: Command) => {
    configure(command, ctx.io);
    for (const sub of command.commands) configureAll(sub);
  };
  configureAll(program);
  return program;
}

/** Runs the CLI and returns its exit code. Nothing here calls process.exit(). */
export async function main(argv: string[], io: IO): Promise<number> {
  const ctx: CommandContext = { io, exitCode: ExitCode.ok };
  const debug = argv.includes('--debug') || Boolean(io.env.IDPASS_DEBUG);
  try {
    const program = await buildProgram(ctx, argv);
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const { exitCode, lines } = describeError(error, debug);
    for (const line of lines) io.stderr.write(line + '\n');
    return exitCode;
  }
}

/** The shim's entry: wires signals to an AbortSignal and runs main. */
export async function run(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    // A second Ctrl-C means "now": do not wait for a clean shutdown.
    // eslint-disable-next-line no-restricted-properties -- the shim's own signal wiring
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `idpass events list | head -1` closes the pipe early: that is the reader's choice, not a crash.
  const onStreamError = (error: NodeJS.ErrnoException) => {
    // eslint-disable-next-line no-restricted-properties -- the shim's own stream wiring
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', onStreamError);
  try {
    return await main(argv, processIO(controller.signal));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `idpass doctor <url>`: a conformance report card for a running webhook handler. */

import { IDENTITYPASS_TIMEOUT_MS } from '../../core/delivery/rules.js';
import { parseEventPatterns, parseStateUrl } from '../../flags/domain.js';
import { parseCount, parseDuration, parseHttpUrl } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { Command, Option } from '../program/commander.js';
import { addSharedOptions, argParser, collect, type CommandContext, type RunCommand } from '../program/shared-flags.js';
import { checkKeys } from '../program/keys.js';
import type { DoctorOptions } from './options.js';

const splitList = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export function createDoctorCommand(ctx: CommandContext, run: RunCommand<DoctorOptions> = runDoctor): Command {
  const command = new Command('doctor')
    .description(
      'Check a running webhook handler against what Prembly needs and print a report card: genuine deliveries of every kind, legacy schemes, ' +
        'forgeries, raw bytes, duplicates, order, size and speed, each with what Prembly would do with the answer and how to fix it.\n' +
        'Exit codes: 0 every required check passed, 1 one failed (or a warning, with --strict), 2 bad usage, 3 cannot connect, 130 interrupted.',
    )
    .argument(
      '[url]',
      'the handler: http(s) URL, localhost:3000/path or :3000/path',
      argParser((t) => parseHttpUrl(t, 'the URL')),
    )
    .addOption(new Option('-t, --to <url>', 'the handler, as a flag (same forms)').argParser(argParser((t) => parseHttpUrl(t, '--to'))))
    .option(
      '--events <list>',
      'the kinds your handler subscribes to (names or globs like verification.*); every kind Prembly sends by default',
    )
    .addOption(
      new Option('--only <checks>', 'run only these checks: ids or groups, comma-separated, globs allowed (see --list)').argParser(
        collect(splitList),
      ),
    )
    .addOption(new Option('--skip <checks>', 'leave these checks out (same forms as --only)').argParser(collect(splitList)))
    .addOption(new Option('--samples <n>', 'deliveries the speed check times').default(20).argParser(argParser(parseCount)))
    .addOption(
      new Option(
        '--state-url <template>',
        "GET your app's view of a reference after each duplicate and order step, e.g. :3000/state/{reference}",
      ).argParser(argParser(parseStateUrl)),
    )
    .addOption(
      new Option('--timeout <duration>', 'how long an answer may take (Prembly waits 10s)')
        .default(IDENTITYPASS_TIMEOUT_MS, '10s')
        .argParser(argParser(parseDuration)),
    )
    .option('--junit <file>', 'also write the results as JUnit XML, for CI to display')
    .option('--strict', 'warnings fail the run too')
    .option('--insecure', 'accept a self-signed certificate on an HTTPS handler')
    .option('--list', 'print the checks (id and what each asks), and exit')
    .addOption(
      new Option(
        '--wait-for-listener <duration>',
        'retry a refused connection this long first (an app starting in the same CI step)',
      ).argParser(argParser(parseDuration)),
    );
  addSharedOptions(command, { scheme: false });
  command.action(async (url: URL | undefined, flags: DoctorOptions) => {
    ctx.exitCode = await run({ ...flags, url }, ctx.io);
  });
  return command;
}

/** The kinds --events names, among those Prembly sends as webhooks. */
async function selectedEvents(text: string | undefined): Promise<string[] | undefined> {
  if (text === undefined) return undefined;
  const { SENT_KINDS } = await import('../../core/doctor/battery.js');
  const filter = parseEventPatterns(text, '--events');
  const events = SENT_KINDS.filter((e) => filter(e));
  if (events.length === 0) {
    throw new UsageError(
      `--events "${text}" names only kinds Prembly does not POST (it answers those from the API)`,
      `name kinds it sends: ${SENT_KINDS.slice(0, 3).join(', ')}, … (idpass trigger --list --long)`,
    );
  }
  return events;
}

export async function runDoctor(options: DoctorOptions, io: IO): Promise<number> {
  const { plannedChecks } = await import('../../core/doctor/run.js');
  const { DoctorError } = await import('../../core/doctor/types.js');
  const events = await selectedEvents(options.events);
  let checks;
  try {
    checks = plannedChecks({ events, only: options.only?.flat(), skip: options.skip?.flat() });
  } catch (error) {
    if (error instanceof DoctorError) {
      const close = error.facts.suggestions ?? [];
      throw new UsageError(
        error.message + (close.length ? `; did you mean ${close.join(', ')}?` : ''),
        'idpass doctor --list shows every check',
      );
    }
    throw error;
  }
  if (options.list) {
    const width = Math.max(...checks.map((c) => c.id.length));
    for (const c of checks) writeLine(io.stdout, `${c.id.padEnd(width)}  ${c.title}${c.required ? '' : ' (advisory)'}`);
    return ExitCode.ok;
  }
  if (options.url && options.to && options.url.href !== options.to.href) {
    throw new UsageError('two different handlers given (the URL argument and --to)', 'give one of them');
  }
  const url = options.url ?? options.to;
  if (!url)
    throw new UsageError(
      'which handler? give its URL, like: idpass doctor http://127.0.0.1:3000/webhooks/identitypass',
      'a running app must answer there',
    );
  checkKeys(options, io);
  const { runChecksAndReport } = await import('./report.js');
  return runChecksAndReport({ ...options, url, events }, checks, io);
}

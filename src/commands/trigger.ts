import { Command, Option } from '../output/commander.js';
import { EVENTS, PRODUCTS } from '../core/events.js';
import { parseAssignment } from '../core/json-path.js';
import type { Product } from '../core/events.js';
import { DEFAULT_TRIGGER_URL } from '../core/defaults.js';
import { TAMPER_KINDS, type TamperKind } from '../core/schemes.js';
import type { PlannedDelivery } from '../core/trigger.js';
import { parseDuration, parseHttpUrl, parseStatusExpectation, type StatusExpectation } from '../core/units.js';
import { ExitCode, UsageError } from '../output/errors.js';
import { writeLine, type IO } from '../output/io.js';
import { sendAndReport } from './send-report.js';
import { addSharedOptions, argParser, checkPublicKey, collect, describeKey, type CommandContext, type SharedOptions } from './shared.js';

export interface TriggerFlags extends SharedOptions {
  to: URL;
  product?: Product;
  set?: { path: string; value: unknown }[];
  unset?: string[];
  data?: string;
  pendingFirst?: boolean;
  delay: number;
  tamper?: TamperKind;
  expectStatus?: StatusExpectation;
  timeout: number;
  list?: boolean;
}

export function createTriggerCommand(ctx: CommandContext): Command {
  const command = new Command('trigger')
    .description(
      'Send realistic, correctly signed Identitypass deliveries from fixtures to a URL and check the answer.\n' +
        'Exit codes: 0 answered as expected, 1 unexpected answer, 2 bad usage, 3 network error, 130 interrupted.',
    )
    .argument('[event]', 'event name (see --list)')
    .addOption(
      new Option('-t, --to <url>', 'where to POST')
        .env('IDPASS_TRIGGER_URL')
        .default(new URL(DEFAULT_TRIGGER_URL), DEFAULT_TRIGGER_URL)
        .argParser(argParser((text) => parseHttpUrl(text, '--to'))),
    )
    .addOption(new Option('--product <name>', 'record shape for verification events (default: bvn)').choices(PRODUCTS))
    .addOption(new Option('--set <path=value>', 'override a body field by dot path; value parsed as JSON when it parses').argParser(collect(argParser(parseAssignment))))
    .addOption(new Option('--unset <path>', 'remove a body field').argParser(collect(String)))
    .option('--data <file>', 'send this JSON file as the body instead of a fixture (- reads stdin); still signed')
    .option('--pending-first', 'send verification.pending first, then the final result with the same reference')
    .addOption(new Option('--delay <duration>', 'wait between the two deliveries of --pending-first').default(2000, '2s').argParser(argParser(parseDuration)))
    .addOption(new Option('--tamper <kind>', 'negative test: the receiver should refuse it').choices(TAMPER_KINDS))
    .addOption(
      new Option('--expect-status <code>', 'status the receiver must answer: 200, 2xx, 4xx, 401, 200,202 (default: 200; 4xx with --tamper)').argParser(
        argParser(parseStatusExpectation),
      ),
    )
    .addOption(new Option('--timeout <duration>', 'how long to wait for each reply').default(10_000, '10s').argParser(argParser(parseDuration)))
    .option('--list', 'print the event names, one line each, and exit');
  addSharedOptions(command);
  command.action(async (event: string | undefined, flags: TriggerFlags) => {
    ctx.exitCode = await runTriggerCommand(event, flags, ctx.io);
  });
  return command;
}

async function readData(path: string, io: IO): Promise<Uint8Array> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks);
    }
    const { readFile } = await import('node:fs/promises');
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new UsageError(`cannot read --data ${path}: ${why}`, 'pass the path of a JSON file holding the body to send');
  }
}

function printList(flags: TriggerFlags, io: IO): void {
  const width = Math.max(...EVENTS.map((e) => e.name.length));
  for (const event of EVENTS) {
    writeLine(io.stdout, flags.json ? JSON.stringify({ event: event.name, description: event.description }) : `${event.name.padEnd(width)}  ${event.description}`);
  }
}

export async function runTriggerCommand(event: string | undefined, flags: TriggerFlags, io: IO): Promise<number> {
  if (flags.list) {
    printList(flags, io);
    return ExitCode.ok;
  }
  if (!event) {
    throw new UsageError('which event? name one, like: idpass trigger verification.completed', 'idpass trigger --list shows every event name');
  }
  checkPublicKey(flags.publicKey, io);
  const data = flags.data === undefined ? undefined : await readData(flags.data, io);
  // Loaded here, not at the top: --help and --list should not pay for crypto and http.
  const { planTrigger, TriggerInputError } = await import('../core/trigger.js');

  let planned: PlannedDelivery[];
  try {
    planned = planTrigger({
      event,
      product: flags.product,
      set: flags.set,
      unset: flags.unset,
      data,
      scheme: flags.scheme,
      publicKey: flags.publicKey,
      pendingFirst: flags.pendingFirst,
      delayMs: flags.delay,
      tamper: flags.tamper,
      expect: flags.expectStatus,
    });
  } catch (error) {
    if (error instanceof TriggerInputError) throw new UsageError(error.message);
    throw error;
  }

  return sendAndReport(planned, flags.to, {
    io,
    json: Boolean(flags.json),
    color: flags.color,
    timeoutMs: flags.timeout,
    intro: `Sending ${describePlan(planned)} to ${flags.to.href} (${flags.scheme}, ${describeKey(flags.publicKey)})`,
  });
}

function describePlan(planned: PlannedDelivery[]): string {
  const names = planned.map((p) => p.event);
  if (names.every((n) => n === names[0])) return names.length === 1 ? names[0]! : `${names[0]} ×${names.length}`;
  return names.join(' then ');
}

/** `idpass trigger <event>`: signed sample deliveries to a URL, checked against what Identitypass needs. */

import { DEFAULT_TRIGGER_URL } from '../../core/common/defaults.js';
import { EVENTS, PRODUCTS } from '../../core/delivery/catalog.js';
import type { PlannedDelivery } from '../../core/trigger/types.js';
import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY, keyFingerprint } from '../../core/signing/schemes.js';
import { TAMPER_KINDS } from '../../core/trigger/tamper.js';
import { parseAssignment, parseProducts, parseRate, parseStatusExpectation } from '../../flags/domain.js';
import { parseCount, parseDuration, parseHttpUrl } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { Command, Option } from '../program/commander.js';
import { checkKeys, describeKeys } from '../program/keys.js';
import { addSharedOptions, argParser, collect, type CommandContext, type RunCommand } from '../program/shared-flags.js';
import { safeJson } from '../../output/sanitize.js';
import { maskUrl } from '../../core/http/url.js';
import { checkTriggerFlags, isLoadRun, type TriggerCommandOptions } from './options.js';

export function createTriggerCommand(ctx: CommandContext, run: RunCommand<TriggerCommandOptions> = runTriggerOrLoad): Command {
  const command = new Command('trigger')
    .description(
      'Send realistic, correctly signed Identitypass deliveries from fixtures to a URL and check the answer.\n' +
        'Exit codes: 0 answered as expected, 1 unexpected answer, 2 bad usage, 3 network error, 130 interrupted.',
    )
    .argument('[event]', 'event name (see --list)')
    .addOption(
      new Option('-t, --to <url>', 'where to POST')
        .env('IDPASS_TRIGGER_URL')
        .default(new URL(DEFAULT_TRIGGER_URL), `${DEFAULT_TRIGGER_URL}, or the port IDPASS_PORT names`)
        .argParser(argParser((text) => parseHttpUrl(text, '--to'))),
    )
    .addOption(
      new Option(
        '--product <names>',
        `record shape for verification events: ${PRODUCTS.join(', ')} (default: bvn); with --count, a comma-separated mix`,
      ).argParser(argParser(parseProducts)),
    )
    .addOption(
      new Option('--set <path=value>', 'override a body field by dot path; value parsed as JSON when it parses').argParser(
        collect(argParser(parseAssignment)),
      ),
    )
    .addOption(new Option('--unset <path>', 'remove a body field').argParser(collect(String)))
    .option('--data <file>', 'send this JSON file as the body instead of a fixture (- reads stdin); still signed');
  addPendingOptions(command);
  addCheckOptions(command);
  addLoadOptions(command);
  addSharedOptions(command);
  command.action(async (event: string | undefined, flags: TriggerCommandOptions, self: Command) => {
    checkTriggerFlags(flags, self);
    // no --to and no IDPASS_TRIGGER_URL: the listener's own port, which IDPASS_PORT moves for listen too
    const port = ctx.io.env.IDPASS_PORT?.trim();
    const to =
      self.getOptionValueSource('to') === 'default' && port && /^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536
        ? new URL(`http://127.0.0.1:${port}/webhook`)
        : flags.to;
    ctx.exitCode = await run({ ...flags, to, event }, ctx.io);
  });
  return command;
}

/** The pending → final story and the body's shape and key. */
function addPendingOptions(command: Command): void {
  command
    .option(
      '--pending-first',
      'the pending → final story: a PENDING answer (which Prembly returns from the API and never POSTs; sent here labelled), then the final result as the retry-flagged delivery for the same reference',
    )
    .addOption(
      new Option(
        '--pending-via <how>',
        'with --pending-first: webhook (POST the PENDING answer too, labelled) or api (only print it, or POST it to --pending-to)',
      ).choices(['webhook', 'api']),
    )
    .addOption(
      new Option('--pending-to <url>', 'with --pending-via api: POST the API answer here').argParser(
        argParser((t) => parseHttpUrl(t, '--pending-to')),
      ),
    )
    .addOption(
      new Option(
        '--pending-reason <why>',
        'with --pending-first: downtime (02, then is_callback_retry) or payment (03, then is_pending_payment_retry)',
      ).choices(['downtime', 'payment']),
    )
    .option('--reference <ref>', 'the verification reference to use (tie deliveries to one your app stored); a fresh UUID by default')
    .addOption(
      new Option('--key <which>', 'sign with this key whatever the event (default: the key Prembly uses for it)').choices([
        'sandbox',
        'live',
      ]),
    )
    .addOption(
      new Option('--shape <shape>', 'legacy sends the older body shape (sdk.session.completed has one)').choices(['current', 'legacy']),
    )
    .addOption(
      new Option('--delay <duration>', 'wait between the two deliveries of --pending-first')
        .default(2000, '2s')
        .argParser(argParser(parseDuration)),
    );
}

/** Negative tests, what the answer must be, and the listing and waiting flags. */
function addCheckOptions(command: Command): void {
  command
    .addOption(new Option('--tamper <kind>', 'negative test: the receiver should refuse it').choices(TAMPER_KINDS))
    .addOption(
      new Option(
        '--expect-status <code>',
        'status the receiver must answer: 200, 2xx, 4xx, 401, 200,202 (default: 200; 4xx with --tamper)',
      ).argParser(argParser(parseStatusExpectation)),
    )
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for each reply').default(10_000, '10s').argParser(argParser(parseDuration)),
    )
    .option('--insecure', 'accept a self-signed certificate on an HTTPS receiver')
    .option('--list', 'print the event names, one line each, and exit')
    .option('--long', 'with --list: add what each event is')
    .option(
      '--print-key',
      'print the keys trigger signs with, as environment lines for your app (built-in test keys in full; yours by fingerprint only)',
    )
    .addOption(
      new Option(
        '--wait-for-listener <duration>',
        'retry a refused connection this long before sending (a listener starting in the same CI step)',
      ).argParser(argParser(parseDuration)),
    );
}

/** One delivery (or a pending → final pair), or a load run. */
async function runTriggerOrLoad(options: TriggerCommandOptions, io: IO): Promise<number> {
  if (isLoadRun(options)) return (await import('./load.js')).runTriggerLoad(options, io);
  return runTrigger(options, io);
}

/** `--count`, `--concurrency`, `--rate`, `--duration`, `--events`, `--json-each`: trigger as a load generator. */
function addLoadOptions(command: Command): void {
  command
    .addOption(
      new Option(
        '--count <n>',
        'load: send this many deliveries (pairs with --pending-first), each with a fresh token and reference',
      ).argParser(argParser(parseCount)),
    )
    .addOption(new Option('--concurrency <n>', 'load: deliveries in flight at once').default(10).argParser(argParser(parseCount)))
    .addOption(new Option('--rate <n/s>', 'load: at most this many deliveries started per second').argParser(argParser(parseRate)))
    .addOption(
      new Option('--duration <duration>', 'load: keep sending this long (with --count, whichever ends first)').argParser(
        argParser(parseDuration),
      ),
    )
    .option('--events <names>', 'load: a mix of kinds, comma-separated, instead of the one event')
    .option('--json-each', 'load: one JSON line per delivery before the summary');
}

/** The keys trigger signs with, as lines an app's environment takes. Never a key of the user's own in full. */
function printKeys(options: TriggerCommandOptions, io: IO): void {
  const line = (name: string, key: string, builtIn: string) =>
    key === builtIn ? `${name}=${key}` : `# ${name} is your own key (${keyFingerprint(key)}): not printed`;
  writeLine(io.stdout, line('IDPASS_PUBLIC_KEY', options.publicKey, BUILTIN_TEST_KEY));
  writeLine(io.stdout, line('IDPASS_LIVE_PUBLIC_KEY', options.livePublicKey, BUILTIN_LIVE_TEST_KEY));
}

function printList(options: TriggerCommandOptions, io: IO): void {
  const width = Math.max(...EVENTS.map((e) => e.name.length));
  for (const e of EVENTS) {
    if (options.json) {
      const { name, description, family, marker, signedWith, delivered, followsRedirects, retries, sample, notSent } = e;
      const facts = { description, family, marker, signedWith, delivered, followsRedirects, retries, sample, notSent };
      writeLine(io.stdout, safeJson({ event: name, ...facts }));
    } else {
      const about = `${e.description}${e.notSent ? ' · not sent by Prembly as a webhook for direct API calls' : ''}`;
      writeLine(io.stdout, options.long ? `${e.name.padEnd(width)}  ${about}` : e.name);
    }
  }
}

export async function runTrigger(options: TriggerCommandOptions, io: IO): Promise<number> {
  if (options.printKey) {
    printKeys(options, io);
    return ExitCode.ok;
  }
  if (options.list) {
    printList(options, io);
    return ExitCode.ok;
  }
  const { event } = options;
  if (!event) {
    throw new UsageError(
      'which event? name one, like: idpass trigger verification.completed',
      'idpass trigger --list shows every event name',
    );
  }
  checkKeys(options, io);
  const planned = await plan(event, options, io);
  // Loaded here, not at the top: --help and --list should not pay for files, crypto and http.
  const { sendAndReport } = await import('../steps/send-and-report.js');
  return sendAndReport(planned, options.to, {
    io,
    json: Boolean(options.json),
    color: options.color,
    timeoutMs: options.timeout,
    waitForListenerMs: options.waitForListener,
    insecure: options.insecure,
    keys: { publicKey: options.publicKey, livePublicKey: options.livePublicKey },
    intro: `Sending ${describePlan(planned)} to ${maskUrl(options.to)} (${options.scheme}, ${describeKeys(options)})`,
  });
}

/** The deliveries the options describe (reading --data first), or a usage error that says what to change. */
async function plan(event: string, options: TriggerCommandOptions, io: IO): Promise<PlannedDelivery[]> {
  const { readInput } = await import('../steps/read-input.js');
  const data =
    options.data === undefined
      ? undefined
      : await readInput(options.data, io, { flag: '--data', hint: 'pass the path of a JSON file holding the body to send' });
  const { planTrigger } = await import('../../core/trigger/plan.js');
  const { TriggerError } = await import('../../core/trigger/errors.js');
  const { triggerUsageError } = await import('./advice.js');
  try {
    return planTrigger({
      event,
      product: options.product?.[0],
      set: options.set,
      unset: options.unset,
      data,
      scheme: options.scheme,
      publicKey: options.publicKey,
      livePublicKey: options.livePublicKey,
      key: options.key,
      reference: options.reference,
      shape: options.shape,
      pendingFirst: options.pendingFirst,
      pendingVia: options.pendingVia,
      pendingTo: options.pendingTo,
      pendingReason: options.pendingReason,
      delayMs: options.delay,
      tamper: options.tamper,
      expect: options.expectStatus,
    });
  } catch (error) {
    if (error instanceof TriggerError) throw triggerUsageError(error);
    throw error;
  }
}

function describePlan(planned: PlannedDelivery[]): string {
  const names = planned.map((p) => p.event);
  if (names.every((n) => n === names[0])) return names.length === 1 ? names[0]! : `${names[0]} ×${names.length}`;
  return names.join(' then ');
}

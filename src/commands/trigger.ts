import { Command, Option } from '../output/commander.js';
import type { ChalkInstance } from 'chalk';
import { EVENTS, PRODUCTS } from '../core/events.js';
import { parseAssignment, PathError } from '../core/json-path.js';
import type { DeliveryResult, PlannedDelivery } from '../core/trigger.js';
import type { Product } from '../core/events.js';
import { TAMPER_KINDS, type TamperKind } from '../core/schemes.js';
import { DEFAULT_TRIGGER_URL } from '../core/defaults.js';
import { formatDuration, parseDuration, parseHttpUrl, parseStatusExpectation, ValueError, type StatusExpectation } from '../core/units.js';
import { ExitCode, UsageError } from '../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../output/io.js';
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

const assignment = (text: string) => {
  try {
    return parseAssignment(text);
  } catch (error) {
    if (error instanceof PathError) throw new ValueError(error.message);
    throw error;
  }
};

export function createTriggerCommand(ctx: CommandContext): Command {
  const command = new Command('trigger')
    .summary('send a correctly signed sample delivery to a URL')
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
    .addOption(new Option('--set <path=value>', 'override a body field by dot path; value parsed as JSON when it parses').argParser(collect(argParser(assignment))))
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
  const { planTrigger, sendPlanned, TriggerInputError } = await import('../core/trigger.js');

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

  const out = await loadChalk(colorLevel(io, io.stdout, !flags.color));
  const err = await loadChalk(colorLevel(io, io.stderr, !flags.color));
  io.stderr.write(
    err.dim(`Sending ${describePlan(planned)} to ${flags.to.href} ` +
      `(${flags.scheme}, ${describeKey(flags.publicKey)})`) + '\n',
  );

  const results: DeliveryResult[] = [];
  let index = 0;
  for await (const result of sendPlanned(planned, flags.to, { timeoutMs: flags.timeout, signal: io.signal })) {
    results.push(result);
    if (flags.json) writeLine(io.stdout, JSON.stringify(toJson(result)));
    else printResult(result, io, out);
    const next = planned[++index];
    if (next && next.delayBeforeMs > 0 && !io.signal.aborted) {
      io.stderr.write(err.dim(`waiting ${formatDuration(next.delayBeforeMs)} before the ${next.role} delivery…`) + '\n');
    }
  }
  if (io.signal.aborted) return ExitCode.interrupted;

  const failed = results.filter((r) => !r.ok).length;
  const unsent = planned.length - results.length;
  if (planned.length > 1 || failed > 0) {
    const parts = [`${results.length - failed} ok`, failed ? `${failed} failed` : '', unsent ? `${unsent} not sent` : ''].filter(Boolean);
    io.stderr.write(`${planned.length} ${planned.length === 1 ? 'delivery' : 'deliveries'}: ${parts.join(', ')}\n`);
  }
  if (results.some((r) => r.error && !r.error.connected)) return ExitCode.network;
  return failed > 0 || unsent > 0 ? ExitCode.checkFailed : ExitCode.ok;
}

function describePlan(planned: PlannedDelivery[]): string {
  const names = planned.map((p) => p.event);
  if (names.every((n) => n === names[0])) return names.length === 1 ? names[0]! : `${names[0]} ×${names.length}`;
  return names.join(' then ');
}

function toJson(result: DeliveryResult) {
  return {
    event: result.event,
    reference: result.reference,
    token: result.token,
    url: result.url,
    status: result.status,
    ok: result.ok,
    ms: result.ms,
    expected: result.expected,
    role: result.role,
    tamper: result.tamper,
    ...(result.reply !== null ? { reply: result.reply } : {}),
    ...(result.error ? { error: result.error.message, errorKind: result.error.kind } : {}),
    ...(result.hint ? { hint: result.hint } : {}),
  };
}

const ROLE_NOTES: Record<DeliveryResult['role'], string> = {
  single: '',
  pending: 'pending, 1 of 2',
  final: 'final, 2 of 2, is_callback_retry',
  original: 'replay test, first send',
  replay: 'replay test, same token again',
};

function printResult(result: DeliveryResult, io: IO, c: ChalkInstance): void {
  const mark = result.ok ? c.green('✔') : c.red('✘');
  const notes = [ROLE_NOTES[result.role], result.tamper && result.tamper !== 'replay' ? `tamper: ${result.tamper}` : ''].filter(Boolean);
  const label = c.bold(result.event) + (notes.length ? c.dim(` (${notes.join(', ')})`) : '');
  let status: string;
  if (result.status !== null) {
    const text = String(result.status);
    status = result.ok ? c.green(text) : c.red(text) + c.dim(` expected ${result.expected}`);
  } else {
    status = c.red(result.error?.kind === 'timeout' ? 'timeout' : 'no reply');
  }
  const ref = result.reference ? `ref ${result.reference}` : 'no reference';
  writeLine(io.stdout, `${mark} ${label}  ${status}  ${c.dim(ref)}  → ${result.url}  ${c.dim(`${result.ms}ms`)}`);
  if (result.error) writeLine(io.stdout, `    ${c.red(result.error.message)}`);
  if (result.reply !== null) writeLine(io.stdout, `    reply: ${result.reply === '' ? c.dim('(empty)') : result.reply}`);
  if (result.hint) writeLine(io.stdout, `    ${c.yellow('hint:')} ${result.hint}`);
}

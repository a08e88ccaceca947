import { Command, Option } from '../output/commander.js';
import { parseEventPatterns } from '../core/event-filter.js';
import type { Delivery } from '../core/listener.js';
import type { DeliveryRecord } from '../core/store.js';
import { parseCount, parseDuration, parseHttpUrl, parseStatusExpectation, type StatusExpectation } from '../core/units.js';
import { ExitCode, UsageError } from '../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../output/io.js';
import { sendAndReport } from './send-report.js';
import { addOutputOptions, addSharedOptions, argParser, checkPublicKey, describeKey, type CommandContext, type SharedOptions } from './shared.js';

/** `idpass events list|show|resend|clear`: what `idpass listen` recorded. */

interface OutputFlags {
  json?: boolean;
  color: boolean;
  debug?: boolean;
}


const eventPattern = (text: string) => parseEventPatterns(text, '--event');

async function loadStore(io: IO) {
  const { DeliveryStore, defaultStateDir, STORE_FILE } = await import('../core/store.js');
  const dir = defaultStateDir(io.env);
  const { records, skipped } = await DeliveryStore.load(dir);
  if (skipped.length) {
    io.stderr.write(`warning: skipped ${skipped.length} unreadable line${skipped.length > 1 ? 's' : ''} in ${dir}/${STORE_FILE} (line ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''})\n`);
  }
  return { dir, file: `${dir}/${STORE_FILE}`, records };
}

/** Finds a delivery by id or unique prefix, turning lookup failures into usage errors that say what to do. */
async function lookup(id: string, io: IO): Promise<{ record: DeliveryRecord; records: DeliveryRecord[] }> {
  const { records } = await loadStore(io);
  const { findRecord, RecordLookupError } = await import('../core/records.js');
  try {
    return { record: findRecord(records, id), records };
  } catch (error) {
    if (!(error instanceof RecordLookupError)) throw error;
    if (error.matches.length > 1) {
      const ids = error.matches.slice(0, 5).map((r) => `${r.id} (${String(r.event ?? 'unrecognised')})`);
      throw new UsageError(`${error.message}: ${ids.join(', ')}${error.matches.length > 5 ? ', …' : ''}`, 'give more of the id');
    }
    throw new UsageError(error.message, records.length === 0 ? 'run idpass listen and send it a delivery first' : 'idpass events list shows the recorded ids');
  }
}

export function createEventsCommand(ctx: CommandContext): Command {
  const events = new Command('events').description(
    'What idpass listen recorded, newest first. Stored in $IDPASS_HOME, else $XDG_STATE_HOME/idpass, else ~/.local/state/idpass.\n' +
      'Exit codes: 0 ok, 1 a resend got an unexpected answer, 2 bad usage or unknown id, 3 network error.',
  );

  const list = new Command('list')
    .description('list recorded deliveries, newest first')
    .addOption(new Option('--limit <n>', 'how many').default(20).argParser(argParser(parseCount)))
    .addOption(new Option('--event <pattern>', 'only these events (names or globs like verification.*)').argParser(argParser(eventPattern)));
  addOutputOptions(list).action(async (flags: OutputFlags & { limit: number; event?: (e: string | null) => boolean }) => {
    ctx.exitCode = await runList(flags, ctx.io);
  });

  const show = new Command('show')
    .description('everything recorded about one delivery, explained as idpass listen does')
    .argument('<id>', 'delivery id, or enough of its start to be unique')
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and images unredacted');
  addOutputOptions(show).action(async (id: string, flags: OutputFlags & { showPii?: boolean }) => {
    ctx.exitCode = await runShow(id, flags, ctx.io);
  });

  const resend = new Command('resend')
    .description('send a recorded delivery again: its original bytes and headers, or re-signed with --resign')
    .argument('<id>', 'delivery id, or enough of its start to be unique')
    .addOption(new Option('-t, --to <url>', 'where to send it (default: where listen forwarded it)').argParser(argParser((t) => parseHttpUrl(t, '--to'))))
    .option('--resign', 'a fresh token and signature under --public-key and --scheme')
    .addOption(new Option('--expect-status <code>', 'status the receiver must answer (default 200)').argParser(argParser(parseStatusExpectation)))
    .addOption(new Option('--timeout <duration>', 'how long to wait for the reply').default(10_000, '10s').argParser(argParser(parseDuration)));
  addSharedOptions(resend).action(async (id: string, flags: SharedOptions & { to?: URL; resign?: boolean; expectStatus?: StatusExpectation; timeout: number }, self: Command) => {
    const keyGiven = self.getOptionValueSource('publicKey') !== 'default' || self.getOptionValueSource('scheme') !== 'default';
    ctx.exitCode = await runResend(id, { ...flags, keyGiven }, ctx.io);
  });

  const clear = new Command('clear').description('delete every recorded delivery').option('--yes', 'do not ask (required when not on a terminal)');
  addOutputOptions(clear, { json: false }).action(async (flags: OutputFlags & { yes?: boolean }) => {
    ctx.exitCode = await runClear(flags, ctx.io);
  });

  for (const sub of [list, show, resend, clear]) events.addCommand(sub);
  return events;
}

function summaryOf(r: DeliveryRecord) {
  const v = (r.verification ?? {}) as { valid?: boolean; reason?: string; scheme?: string | null };
  const forward = (r.outcome?.forward ?? null) as { status: number; answered: boolean } | null;
  return {
    id: r.id,
    receivedAt: r.receivedAt,
    event: (r.event as string | null) ?? null,
    identityStatus: (r.identityStatus as string | null) ?? null,
    reference: (r.reference as string | null) ?? null,
    signature: { valid: v.valid ?? false, reason: v.reason ?? null, scheme: v.scheme ?? null },
    forwardStatus: forward?.status ?? null,
    path: r.path,
    size: r.size,
  };
}

async function runList(flags: OutputFlags & { limit: number; event?: (e: string | null) => boolean }, io: IO): Promise<number> {
  const { records, file } = await loadStore(io);
  const chosen = records
    .filter((r) => (flags.event ? flags.event((r.event as string | null) ?? null) : true))
    .reverse()
    .slice(0, flags.limit);
  if (flags.json) {
    for (const r of chosen) writeLine(io.stdout, JSON.stringify(summaryOf(r)));
    return ExitCode.ok;
  }
  if (records.length === 0) {
    io.stderr.write(`no deliveries recorded yet (${file}); run idpass listen and send it one\n`);
    return ExitCode.ok;
  }
  const c = await loadChalk(colorLevel(io, io.stdout, !flags.color));
  const { clockTime } = await import('../output/delivery-format.js');
  writeLine(io.stdout, c.dim(`${'ID'.padEnd(18)}  ${'TIME'.padEnd(19)}  ${'EVENT'.padEnd(30)}  ${'RESULT'.padEnd(12)}  ${'SIGNATURE'.padEnd(22)}  APP`));
  for (const r of chosen) {
    const s = summaryOf(r);
    const when = `${s.receivedAt.slice(0, 10)} ${clockTime(s.receivedAt)}`;
    const result = s.identityStatus ?? '—';
    const resultColour = result === 'VERIFIED' ? c.green : result === 'NOT-VERIFIED' ? c.red : result === 'PENDING' ? c.yellow : c.dim;
    const sig = s.signature.valid ? c.green(`valid ${s.signature.scheme}`.padEnd(22)) : c.red(`${s.signature.reason ?? 'invalid'}`.padEnd(22));
    const app = s.forwardStatus === null ? c.dim('—') : s.forwardStatus === 200 ? c.green('200') : c.yellow(String(s.forwardStatus));
    writeLine(io.stdout, `${s.id.padEnd(18)}  ${when}  ${(s.event ?? 'unrecognised').padEnd(30)}  ${resultColour(result.padEnd(12))}  ${sig}  ${app}`);
  }
  const hidden = records.length - chosen.length;
  if (hidden > 0) io.stderr.write(`${chosen.length} of ${records.length} shown (--limit, --event)\n`);
  return ExitCode.ok;
}

async function toDelivery(record: DeliveryRecord, io: IO): Promise<Delivery> {
  const { deliveryFromRecord } = await import('../core/records.js');
  const { BUILTIN_TEST_KEY } = await import('../core/schemes.js');
  return deliveryFromRecord(record, io.env.IDPASS_PUBLIC_KEY || BUILTIN_TEST_KEY);
}

async function runShow(id: string, flags: OutputFlags & { showPii?: boolean }, io: IO): Promise<number> {
  const { record } = await lookup(id, io);
  const delivery = await toDelivery(record, io);
  if (flags.json) {
    const { deliveryJson } = await import('../output/delivery-format.js');
    const showPii = Boolean(flags.showPii);
    const { headerValue } = await import('../output/delivery-detail.js');
    // signature values (a static one is the public key in base64) and the raw body only with --show-pii
    const headers = showPii ? record.headers : record.headers.map(([name, value]) => [name, headerValue(name, value)]);
    writeLine(io.stdout, JSON.stringify({ ...deliveryJson(delivery, showPii), headers, forwardTo: record.forwardTo ?? null, ...(showPii ? { rawBody: record.body } : {}) }));
    return ExitCode.ok;
  }
  const { detailLines } = await import('../output/delivery-detail.js');
  const { printDetail } = await import('../output/detail-print.js');
  printDetail(detailLines(delivery, Boolean(flags.showPii)), io, await loadChalk(colorLevel(io, io.stdout, !flags.color)));
  return ExitCode.ok;
}

async function runResend(
  id: string,
  flags: SharedOptions & { to?: URL; resign?: boolean; expectStatus?: StatusExpectation; timeout: number; keyGiven: boolean },
  io: IO,
): Promise<number> {
  const { record } = await lookup(id, io);
  if (record.body === null) throw new UsageError(`${record.id} was refused unread (larger than --max-body): there are no bytes to resend`);
  const to = flags.to ?? (typeof record.forwardTo === 'string' ? new URL(record.forwardTo) : undefined);
  if (!to) throw new UsageError(`${record.id} was not forwarded anywhere, so there is no default target`, 'pass --to <url>');
  if (flags.keyGiven && !flags.resign) {
    io.stderr.write('note: --public-key and --scheme only matter with --resign; the original signature is sent as it was\n');
  }
  if (flags.resign) checkPublicKey(flags.publicKey, io);
  const { forwardableHeaders } = await import('../core/forwarder.js');
  const { sign, readHeader, PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER } = await import('../core/signing.js');
  const body = Buffer.from(record.body, 'base64');
  let headers = forwardableHeaders(record.headers);
  let token = readHeader(record.headers, TOKEN_HEADER) ?? '';
  if (flags.resign) {
    const replaced = new Set([PREMBLY_SIGNATURE_HEADER, IDENTITYPASS_SIGNATURE_HEADER, TOKEN_HEADER]);
    headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !replaced.has(name.toLowerCase())));
    const signed = sign({ body, publicKey: flags.publicKey, scheme: flags.scheme });
    const { 'content-type': contentType, ...signature } = signed.headers;
    headers = { ...(readHeader(record.headers, 'content-type') ? {} : { 'content-type': contentType! }), ...headers, ...signature };
    token = signed.token;
  }
  return sendAndReport(
    [
      {
        event: (record.event as string | null) ?? 'unrecognised body',
        role: 'resend',
        body,
        headers,
        token,
        reference: (record.reference as string | null) ?? null,
        expect: flags.expectStatus ?? parseStatusExpectation('200'),
        delayBeforeMs: 0,
        tamper: null,
      },
    ],
    to,
    {
      io,
      json: Boolean(flags.json),
      color: flags.color,
      timeoutMs: flags.timeout,
      intro: `Resending ${record.id} to ${to.href} (${flags.resign ? `re-signed: ${flags.scheme}, ${describeKey(flags.publicKey)}, new token` : 'original bytes and headers'})`,
    },
  );
}

async function runClear(flags: OutputFlags & { yes?: boolean }, io: IO): Promise<number> {
  const { records, file } = await loadStore(io);
  const { rm } = await import('node:fs/promises');
  const { DeliveryStore, defaultStateDir } = await import('../core/store.js');
  if (!(await DeliveryStore.exists(defaultStateDir(io.env)))) {
    io.stderr.write('nothing to clear: no deliveries are recorded\n');
    return ExitCode.ok;
  }
  if (!flags.yes) {
    if (!io.stdin.isTTY) throw new UsageError(`refusing to delete ${records.length} recorded deliveries without --yes (not on a terminal)`, 'run idpass events clear --yes');
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    const answer = await rl.question(`Delete ${records.length} recorded deliveries in ${file}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.stderr.write('kept them\n');
      return ExitCode.ok;
    }
  }
  await rm(file, { force: true });
  io.stderr.write(`deleted ${records.length} recorded deliveries (${file})\n`);
  return ExitCode.ok;
}

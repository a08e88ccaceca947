/** `idpass listen`: a listen session (the local listener, a public tunnel to it) drawn as a live view, plain lines or NDJSON. */

import {
  DEFAULT_HOST,
  DEFAULT_INSPECT_PORT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_STORE_MAX_BYTES,
  DEFAULT_TUNNEL_HOST,
} from '../../core/common/defaults.js';
import type { ListenOutcome, ListenSession } from '../../core/session/listen-session.js';
import { BUILTIN_TEST_KEY } from '../../core/signing/schemes.js';
import { parseEventPatterns } from '../../flags/domain.js';
import { parseCount, parseDuration, parseHost, parseHttpUrl, parsePort, parseSize, parseSubdomain } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { formatDuration } from '../../output/render/format.js';
import { terminal, type Terminal } from '../../output/terminal.js';
import { Command, Option } from '../program/commander.js';
import { addSharedOptions, argParser, type CommandContext, type RunCommand } from '../program/shared-flags.js';
import { announceReady } from '../steps/ready-file.js';
import { onInterrupt } from '../steps/stop.js';
import { addForwardOptions } from './forward-options.js';
import { addRelayOptions } from './relay-options.js';
import { checkListenOptions, sessionOptions, type ListenOptions } from './options.js';
import { listenRenderer } from './renderers.js';
import { startListenInspector } from './inspector.js';
import { tones } from '../../output/palette.js';

const patterns = (flag: string) => (text: string) => parseEventPatterns(text, flag);

export function createListenCommand(ctx: CommandContext, run: RunCommand<ListenOptions> = runListen): Command {
  const command = new Command('listen')
    .description(
      'Receive Identitypass deliveries on a local listener (and a public tunnel to it): check each signature, explain the verification result, forward the exact request to your app and record every delivery.\n' +
        'Exit codes: 0 stopped cleanly or --wait-for met, 1 --wait-for timed out, 2 bad usage, 130 interrupted while waiting.',
    )
    .addOption(
      new Option('-p, --port <n>', 'local port; 0 picks a free one')
        .env('IDPASS_PORT')
        .default(DEFAULT_PORT)
        .argParser(argParser(parsePort)),
    )
    .addOption(new Option('--host <addr>', 'bind address').default(DEFAULT_HOST).argParser(argParser(parseHost)))
    .addOption(
      new Option('--events <list>', 'only these events (comma-separated; globs like verification.*)').argParser(
        argParser(patterns('--events')),
      ),
    )
    .addOption(
      new Option('--max-body <size>', 'larger deliveries get 413').default(DEFAULT_MAX_BODY_BYTES, '10mb').argParser(argParser(parseSize)),
    )
    .option('--no-tunnel', 'local only: no public URL')
    .addOption(
      new Option('--tunnel-host <url>', 'localtunnel server (self-hosted servers welcome)')
        .env('IDPASS_TUNNEL_HOST')
        .default(new URL(DEFAULT_TUNNEL_HOST), DEFAULT_TUNNEL_HOST)
        .argParser(argParser((t) => parseHttpUrl(t, '--tunnel-host'))),
    )
    .addOption(new Option('--subdomain <name>', 'ask the tunnel server for this subdomain').argParser(argParser(parseSubdomain)))
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and images unredacted')
    .option('--no-store', 'do not record deliveries')
    .option('--ready-file <path>', 'once listening, write {"url","port","pid"} here (for scripts that wait for it); removed on exit')
    .addOption(
      new Option('--store-max <size>', 'past this size the oldest recorded deliveries are dropped, down to about half')
        .env('IDPASS_STORE_MAX')
        .default(DEFAULT_STORE_MAX_BYTES, '200mb')
        .argParser(argParser(parseSize)),
    )
    .addOption(
      new Option('--wait-for <event>', 'CI mode: exit 0 once --count matching deliveries arrived').argParser(
        argParser(patterns('--wait-for')),
      ),
    )
    .addOption(new Option('--count <n>', 'CI mode: how many deliveries to wait for (default 1)').argParser(argParser(parseCount)))
    .addOption(
      new Option(
        '--timeout <duration>',
        'with --wait-for/--count: exit 1 when they have not arrived by then; alone: listen this long, then stop (exit 0)',
      ).argParser(argParser(parseDuration)),
    );
  addForwardOptions(command);
  addRelayOptions(command);
  command
    .addOption(new Option('--inspect', 'serve the web inspector (on by default in the live view) on 127.0.0.1'))
    .addOption(new Option('--no-inspect', 'no web inspector'))
    .addOption(
      new Option('--inspect-port <n>', 'the web inspector’s port (a free one when taken)')
        .env('IDPASS_INSPECT_PORT')
        .default(DEFAULT_INSPECT_PORT)
        .argParser(argParser(parsePort)),
    );
  addSharedOptions(command, { role: 'verify' });
  command.action(async (flags: ListenOptions, self: Command) => {
    // Only a scheme the user chose is worth a note when a delivery uses another one.
    const schemeChosen = self.getOptionValueSource('scheme') !== 'default';
    // --tunnel / --no-tunnel only when typed: left out, the tunnel opens unless deliveries come from a relay
    const tunnel = self.getOptionValueSource('tunnel') === 'cli' ? flags.tunnel : undefined;
    // the same for the inspector: left out, it is on in the live view only
    const inspect = self.getOptionValueSource('inspect') === 'cli' ? flags.inspect : undefined;
    ctx.exitCode = await run({ ...flags, tunnel, inspect, expectScheme: schemeChosen }, ctx.io);
  });
  return command;
}

export async function runListen(options: ListenOptions, io: IO): Promise<number> {
  checkListenOptions(options, io);
  const term = await terminal(io, options);
  const { ListenSession } = await import('../../core/session/listen-session.js');
  const session = new ListenSession(await sessionOptions(options, io.env));
  const inspector = await startListenInspector(options, io, term, session);
  const renderer = await listenRenderer(options, io, term, session, inspector?.url ?? null);
  session.on('fact', (fact) => renderer.fact(fact));
  const refused = refusedByRelay(session);
  const ready = await bind(session);
  const removeReadyFile = await announceReady(options.readyFile, { ...ready, close: () => session.close() });
  const stopWatching = onInterrupt(io.signal, () => session.stop());
  // bound to every interface: this machine reaches it on loopback, not at 0.0.0.0
  const url = ready.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  await renderer.ready({ url, sendHint: sendHint(url, options, io) });
  const outcome = await session.run();
  stopWatching();
  renderer.ended?.();
  sayOutcome(outcome, io, term);
  writeLine(
    io.stderr,
    tones(term.err).dim(`stopping: closing the ${session.tunnelOn ? 'tunnel and the ' : ''}listener, flushing the store…`),
  );
  session.on('fact', (fact) => fact.type === 'draining' && sayDraining(fact, io, term));
  await session.close();
  // the deliveries that finished while draining are shown too, and a stalled reader gets every line
  await renderer.close();
  await inspector?.close();
  await removeReadyFile();
  const count = session.listener.count;
  writeLine(io.stderr, tones(term.err).dim(`stopped after ${count} ${count === 1 ? 'delivery' : 'deliveries'}`));
  return refused() ? ExitCode.usage : exitCode(outcome);
}

/** A relay that refuses the token or knows no such channel ends the session: retrying would not help. */
function refusedByRelay(session: ListenSession): () => boolean {
  let refused = false;
  session.on('fact', (fact) => {
    if (fact.type !== 'relay-state' || fact.state !== 'refused') return;
    refused = true;
    session.stop();
  });
  return () => refused;
}

/** The trigger command that sends this listener a delivery (naming --public-key when the key is the user's own and not in the environment). */
function sendHint(url: string, options: ListenOptions, io: IO): string {
  const ownKey = options.publicKey !== BUILTIN_TEST_KEY && io.env.IDPASS_PUBLIC_KEY !== options.publicKey;
  return `npx idpass trigger verification.completed --to ${url}/webhook${ownKey ? ' --public-key <your key>' : ''}`;
}

export function exitCode(outcome: ListenOutcome): number {
  switch (outcome.reason) {
    case 'met':
    case 'time-up':
      return ExitCode.ok;
    case 'timed-out':
      return ExitCode.checkFailed;
    case 'stopped':
      return outcome.waiting ? ExitCode.interrupted : ExitCode.ok;
  }
}

function sayDraining(fact: { inFlight: number; graceMs: number }, io: IO, term: Terminal): void {
  const what = `${fact.inFlight} ${fact.inFlight === 1 ? 'delivery' : 'deliveries'} in flight`;
  writeLine(
    io.stderr,
    tones(term.err).dim(`waiting up to ${formatDuration(fact.graceMs)} for ${what} (the app's answers; --forward-timeout plus 1s)`),
  );
}

function sayOutcome(outcome: ListenOutcome, io: IO, term: Terminal): void {
  if (outcome.reason === 'timed-out') {
    writeLine(
      io.stderr,
      tones(term.err).bad(
        `timed out after ${formatDuration(outcome.timeoutMs)}: ${outcome.matched} of ${outcome.wanted} matching deliveries arrived`,
      ),
    );
  } else if (outcome.reason === 'met') {
    writeLine(io.stderr, tones(term.err).good(`${outcome.matched} of ${outcome.wanted} matching deliveries arrived`));
  }
}

/** Binds the session, turning bind failures into usage errors that say what to do. */
async function bind(session: ListenSession) {
  const { ListenError } = await import('../../core/receive/bind.js');
  try {
    return await session.start();
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    const hint =
      error.code === 'port-in-use'
        ? 'pass --port 0 for any free port, or stop whatever holds it (another idpass listen?)'
        : error.code === 'bad-host'
          ? 'use 127.0.0.1 (the default) or an address this machine has'
          : 'use a port above 1023';
    throw new UsageError(error.message, hint);
  }
}

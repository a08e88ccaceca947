import type { ChalkInstance } from 'chalk';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_STORE_MAX_BYTES,
  DEFAULT_TUNNEL_HOST,
} from '../../core/common/defaults.js';
import { reachesLoopback } from '../../core/common/hosts.js';
import type { EventFilter } from '../../core/delivery/event-filter.js';
import type { Delivery } from '../../core/delivery/types.js';
import type { ListenerFact } from '../../core/receive/facts.js';
import type { Listener } from '../../core/receive/listener.js';
import type { TunnelSupervisor } from '../../core/tunnel/supervisor.js';
import { BUILTIN_TEST_KEY } from '../../core/signing/schemes.js';
import { parseEventPatterns } from '../../flags/domain.js';
import {
  exposedHostWarning,
  parseCount,
  parseDuration,
  parseHost,
  parseHttpUrl,
  parsePort,
  parseSize,
  parseSubdomain,
} from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../../output/io.js';
import { formatDuration } from '../../output/render/format.js';
import type { Renderer } from '../../output/render/listen-renderers.js';
import { Command, Option } from '../shared/commander.js';
import { addSharedOptions, argParser, checkKeys, describeKeys, type CommandContext, type SharedOptions } from '../shared/options.js';
import { factBus } from './fact-bus.js';
import { addForwardOptions, checkForwardFlags, type ForwardFlags } from './forward-options.js';

/** `idpass listen`: a local listener (and a public tunnel to it) drawn as a live view, plain lines or NDJSON. */

export interface ListenOptions extends SharedOptions, ForwardFlags {
  port: number;
  host: string;
  events?: EventFilter;
  maxBody: number;
  showPii?: boolean;
  store: boolean;
  storeMax: number;
  readyFile?: string;
  waitFor?: EventFilter;
  count?: number;
  timeout?: number;
  tunnel: boolean;
  tunnelHost: URL;
  subdomain?: string;
  /** Whether --scheme / IDPASS_SCHEME was given (else any scheme is expected). */
  expectScheme?: boolean;
}

const patterns = (flag: string) => (text: string) => parseEventPatterns(text, flag);

export function createListenCommand(ctx: CommandContext): Command {
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
  addSharedOptions(command, { role: 'verify' });
  command.action(async (flags: ListenOptions, self: Command) => {
    // Only a scheme the user chose is worth a note when a delivery uses another one.
    const schemeChosen = self.getOptionValueSource('scheme') !== 'default';
    ctx.exitCode = await runListen({ ...flags, expectScheme: schemeChosen }, ctx.io);
  });
  return command;
}

export async function runListen(flags: ListenOptions, io: IO): Promise<number> {
  checkKeys(flags, io);
  checkForwardFlags(flags);
  if (flags.maxBody < 1) throw new UsageError('--max-body must be at least 1 byte', 'use a size like 512kb or 10mb');
  const { createListener } = await import('../../core/receive/listener.js');
  const { DeliveryStore, defaultStateDir } = await import('../../core/store/log.js');
  const { plainRenderer, jsonRenderer } = await import('../../output/render/listen-renderers.js');
  const colour = colorLevel(io, io.stdout, !flags.color) > 0;
  const out = await loadChalk(colorLevel(io, io.stdout, !flags.color));
  const err = await loadChalk(colorLevel(io, io.stderr, !flags.color));

  const store = flags.store ? new DeliveryStore({ dir: defaultStateDir(io.env), maxBytes: flags.storeMax }) : null;
  const { randomBytes } = await import('node:crypto');
  const probeSecret = randomBytes(16).toString('hex');
  const listener = createListener({
    probeSecret,
    publicKey: flags.publicKey,
    livePublicKey: flags.livePublicKey,
    scheme: flags.expectScheme ? flags.scheme : undefined,
    forwardTo: flags.forwardTo ?? null,
    forwardTimeoutMs: Number.isFinite(flags.forwardTimeout) ? flags.forwardTimeout : null,
    forwardHeaders: flags.forwardHeader,
    allowSignatureOverride: flags.allowSignatureOverride,
    insecure: flags.insecure,
    maxBodyBytes: flags.maxBody,
    store,
    filter: flags.events,
  });
  // A terminal gets the live view; pipes get plain lines; --json gets NDJSON.
  const interactive = Boolean(io.stdout.isTTY) && !flags.json;
  const bus = factBus();
  const render: Renderer = interactive
    ? bus.push
    : flags.json
      ? jsonRenderer(io, Boolean(flags.showPii), err)
      : plainRenderer(io, out, err);
  listener.on('fact', render);

  const ciMode = flags.waitFor !== undefined || flags.count !== undefined;
  const wanted = flags.count ?? 1;
  let matched = 0;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  listener.on('fact', (fact: ListenerFact) => {
    if (!ciMode || fact.type !== 'completed' || fact.delivery.ignored) return;
    if (!matches(fact.delivery, flags.waitFor)) return;
    matched++;
    if (matched >= wanted) finish(ExitCode.ok);
  });

  const ready = await bind(listener, flags);
  // bound to every interface: this machine reaches it on loopback, not at 0.0.0.0
  const localUrl = ready.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  const sendHint = `npx idpass trigger verification.completed --to ${localUrl}/webhook${
    flags.publicKey !== BUILTIN_TEST_KEY && io.env.IDPASS_PUBLIC_KEY !== flags.publicKey ? ' --public-key <your key>' : ''
  }`;
  if (flags.readyFile) {
    try {
      await (await import('../shared/ready-file.js')).writeReadyFile(flags.readyFile, ready.url, ready.port);
    } catch (error) {
      await listener.close();
      throw error;
    }
  }
  if (!interactive) await printBanner(flags, listener, localUrl, sendHint, io, err);

  const supervisor = flags.tunnel ? await startTunnel(flags, ready.port, probeSecret, render) : null;

  const onAbort = () => finish(ciMode ? ExitCode.interrupted : ExitCode.ok);
  io.signal.addEventListener('abort', onAbort, { once: true });
  if (io.signal.aborted) onAbort();

  let view: { unmount(): void } | null = null;
  if (interactive) {
    const { mountLiveView } = await import('./live.js');
    const quit = () => finish(ciMode ? ExitCode.interrupted : ExitCode.ok);
    const notice = exposedHostWarning(flags.host);
    view = await mountLiveView(io, {
      flags,
      url: localUrl,
      sendHint,
      listener,
      subscribe: bus.subscribe,
      onQuit: quit,
      color: colour,
      notice,
    });
  }
  let timer: NodeJS.Timeout | undefined;
  if (flags.timeout !== undefined) {
    timer = setTimeout(() => finish(ciMode ? ExitCode.checkFailed : ExitCode.ok), flags.timeout);
  }
  const code = await finished;
  clearTimeout(timer);
  view?.unmount();
  io.signal.removeEventListener('abort', onAbort);
  if (ciMode && code === ExitCode.checkFailed) {
    writeLine(io.stderr, err.red(`timed out after ${formatDuration(flags.timeout!)}: ${matched} of ${wanted} matching deliveries arrived`));
  } else if (ciMode && code === ExitCode.ok) {
    writeLine(io.stderr, err.green(`${matched} of ${wanted} matching deliveries arrived`));
  }
  writeLine(io.stderr, err.dim(`stopping: closing the ${supervisor ? 'tunnel and the ' : ''}listener, flushing the store…`));
  listener.on('fact', (fact) => {
    if (fact.type !== 'draining') return;
    const what = `${fact.inFlight} ${fact.inFlight === 1 ? 'delivery' : 'deliveries'} in flight`;
    writeLine(
      io.stderr,
      err.dim(`waiting up to ${formatDuration(fact.graceMs)} for ${what} (the app's answers; --forward-timeout plus 1s)`),
    );
  });
  await supervisor?.stop();
  await listener.close();
  if (flags.readyFile) await (await import('node:fs/promises')).rm(flags.readyFile, { force: true });
  writeLine(io.stderr, err.dim(`stopped after ${listener.count} ${listener.count === 1 ? 'delivery' : 'deliveries'}`));
  return code;
}

function matches(delivery: Delivery, waitFor: ListenOptions['waitFor']): boolean {
  return waitFor ? waitFor(delivery.classification.event) : true;
}

/** Binds the listener, turning bind failures into usage errors that say what to do. */
async function bind(listener: Listener, flags: ListenOptions) {
  const { ListenError } = await import('../../core/receive/bind.js');
  try {
    return await listener.start({ port: flags.port, host: flags.host });
  } catch (error) {
    await listener.close();
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

/** Starts the tunnel supervisor in the background; its facts go to the same renderer. */
async function startTunnel(flags: ListenOptions, port: number, probeSecret: string, render: Renderer): Promise<TunnelSupervisor> {
  const { TunnelSupervisor } = await import('../../core/tunnel/supervisor.js');
  const { localtunnelProvider } = await import('../../core/tunnel/localtunnel.js');
  const supervisor = new TunnelSupervisor({
    provider: localtunnelProvider({
      host: flags.tunnelHost,
      localPort: port,
      localHost: reachesLoopback(flags.host) ? undefined : flags.host,
    }),
    subdomain: flags.subdomain,
    probeSecret,
  });
  supervisor.on('fact', render);
  supervisor.start();
  return supervisor;
}

/** What the forwarding flags change from Prembly's behaviour, said once. */
function forwardNotes(flags: ListenOptions): string[] {
  const notes: string[] = [];
  if (!Number.isFinite(flags.forwardTimeout))
    notes.push('--forward-timeout none: idpass waits for your app as long as it takes; Prembly gives up after 10s');
  if (flags.insecure) notes.push('--insecure: HTTPS targets are reached without checking their certificate');
  if (flags.forwardHeader?.length) notes.push(`forwarded requests carry ${flags.forwardHeader.map(([name]) => name).join(', ')} too`);
  return notes;
}

/** The lines listen prints on stderr once bound, when it is not drawing the live view. */
async function printBanner(
  flags: ListenOptions,
  listener: Listener,
  localUrl: string,
  sendHint: string,
  io: IO,
  err: ChalkInstance,
): Promise<void> {
  const { bannerLines } = await import('../../output/render/listen-banner.js');
  const banner = bannerLines(err, {
    url: localUrl,
    sendHint,
    host: flags.host,
    exposed: exposedHostWarning(flags.host),
    forwardTargets: listener.forwardTargets,
    forwardTimeoutMs: Number.isFinite(flags.forwardTimeout) ? flags.forwardTimeout : null,
    forwardNotes: forwardNotes(flags),
    key: describeKeys(flags),
    expectedScheme: flags.expectScheme ? flags.scheme : null,
    storeFile: listener.storeFile,
    storeOn: flags.store,
    tunnelHost: flags.tunnel ? flags.tunnelHost.origin : null,
  });
  for (const line of banner) writeLine(io.stderr, line);
}

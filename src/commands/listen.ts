import { Command, Option } from '../output/commander.js';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TUNNEL_HOST } from '../core/defaults.js';
import { parseEventPatterns } from '../core/event-filter.js';
import type { Delivery, ListenerFact } from '../core/listener.js';
import type { ListenFact, Renderer } from '../output/delivery-format.js';
import { formatDuration, parseCount, parseDuration, parseHttpUrl, parseSize, parseSubdomain, ValueError } from '../core/units.js';
import { ExitCode, UsageError } from '../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../output/io.js';
import { addSharedOptions, argParser, checkPublicKey, describeKey, type CommandContext, type SharedOptions } from './shared.js';

export interface ListenFlags extends SharedOptions {
  port: number;
  host: string;
  forwardTo?: URL;
  forwardTimeout: number;
  events?: (event: string | null) => boolean;
  maxBody: number;
  showPii?: boolean;
  store: boolean;
  waitFor?: (event: string | null) => boolean;
  count?: number;
  timeout?: number;
  tunnel: boolean;
  tunnelHost: URL;
  subdomain?: string;
  /** Whether --scheme / IDPASS_SCHEME was given (else any scheme is expected). */
  expectScheme?: boolean;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) throw new ValueError(`"${text}" is not a port: use a number from 1 to 65535, or 0 for any free port`);
  return port;
}


const patterns = (flag: string) => (text: string) => parseEventPatterns(text, flag);

export function createListenCommand(ctx: CommandContext): Command {
  const command = new Command('listen')
    .description(
      'Receive Identitypass deliveries on a local listener (and a public tunnel to it): check each signature, explain the verification result, forward the exact request to your app and record every delivery.\n' +
        'Exit codes: 0 stopped cleanly or --wait-for met, 1 --wait-for timed out, 2 bad usage, 130 interrupted while waiting.',
    )
    .addOption(new Option('-p, --port <n>', 'local port; 0 picks a free one').env('IDPASS_PORT').default(DEFAULT_PORT).argParser(argParser(parsePort)))
    .addOption(new Option('--host <addr>', 'bind address').default(DEFAULT_HOST))
    .addOption(new Option('-f, --forward-to <url>', 'forward every delivery to your app at this URL').argParser(argParser((t) => parseHttpUrl(t, '--forward-to'))))
    .addOption(new Option('--forward-timeout <duration>', 'how long to wait for the app').default(10_000, '10s').argParser(argParser(parseDuration)))
    .addOption(new Option('--events <list>', 'only these events (comma-separated; globs like verification.*)').argParser(argParser(patterns('--events'))))
    .addOption(new Option('--max-body <size>', 'larger deliveries get 413').default(10 * 1024 * 1024, '10mb').argParser(argParser(parseSize)))
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
    .addOption(new Option('--wait-for <event>', 'CI mode: exit 0 once --count matching deliveries arrived').argParser(argParser(patterns('--wait-for'))))
    .addOption(new Option('--count <n>', 'CI mode: how many deliveries to wait for (default 1)').argParser(argParser(parseCount)))
    .addOption(new Option('--timeout <duration>', 'CI mode: exit 1 when they have not arrived by then').argParser(argParser(parseDuration)));
  addSharedOptions(command);
  command.action(async (flags: ListenFlags, self: Command) => {
    // Only a scheme the user chose is worth a note when a delivery uses another one.
    const schemeChosen = self.getOptionValueSource('scheme') !== 'default';
    ctx.exitCode = await runListenCommand({ ...flags, expectScheme: schemeChosen }, ctx.io);
  });
  return command;
}

export async function runListenCommand(flags: ListenFlags, io: IO): Promise<number> {
  checkPublicKey(flags.publicKey, io);
  if (flags.maxBody < 1) throw new UsageError('--max-body must be at least 1 byte', 'use a size like 512kb or 10mb');
  const { createListener, ListenError } = await import('../core/listener.js');
  const { DeliveryStore, defaultStateDir } = await import('../core/store.js');
  const { plainRenderer, jsonRenderer } = await import('../output/delivery-format.js');
  const colour = colorLevel(io, io.stdout, !flags.color) > 0;
  const out = await loadChalk(colorLevel(io, io.stdout, !flags.color));
  const err = await loadChalk(colorLevel(io, io.stderr, !flags.color));

  const store = flags.store ? new DeliveryStore({ dir: defaultStateDir(io.env) }) : null;
  const { randomBytes } = await import('node:crypto');
  const probeSecret = randomBytes(16).toString('hex');
  const listener = createListener({
    probeSecret,
    publicKey: flags.publicKey,
    scheme: flags.expectScheme ? flags.scheme : undefined,
    forwardTo: flags.forwardTo ?? null,
    forwardTimeoutMs: flags.forwardTimeout,
    maxBodyBytes: flags.maxBody,
    store,
    filter: flags.events,
  });
  // A terminal gets the live view; pipes get plain lines; --json gets NDJSON.
  const interactive = Boolean(io.stdout.isTTY) && !flags.json;
  const bus = factBus();
  const render: Renderer = interactive ? bus.push : flags.json ? jsonRenderer(io, Boolean(flags.showPii), err) : plainRenderer(io, out, err);
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

  let ready;
  try {
    ready = await listener.start({ port: flags.port, host: flags.host });
  } catch (error) {
    await listener.close();
    if (error instanceof ListenError) {
      const hint =
        error.code === 'port-in-use'
          ? 'pass --port 0 for any free port, or stop whatever holds it (another idpass listen?)'
          : error.code === 'bad-host'
            ? 'use 127.0.0.1 (the default) or an address this machine has'
            : 'use a port above 1023';
      throw new UsageError(error.message, hint);
    }
    throw error;
  }

  if (!interactive) printBanner(io, err, flags, ready.url, listener.storeFile);

  let supervisor: import('../core/tunnel.js').TunnelSupervisor | null = null;
  if (flags.tunnel) {
    const { TunnelSupervisor } = await import('../core/tunnel.js');
    const { localtunnelProvider } = await import('../core/localtunnel-provider.js');
    const loopback = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(flags.host);
    supervisor = new TunnelSupervisor({
      provider: localtunnelProvider({ host: flags.tunnelHost, localPort: ready.port, localHost: loopback ? undefined : flags.host }),
      subdomain: flags.subdomain,
      probeSecret,
    });
    supervisor.on('fact', render);
    supervisor.start();
  }

  const onAbort = () => finish(ciMode ? ExitCode.interrupted : ExitCode.ok);
  io.signal.addEventListener('abort', onAbort, { once: true });
  if (io.signal.aborted) onAbort();

  let view: { unmount(): void } | null = null;
  if (interactive) {
    if (!colour) io.env.FORCE_COLOR = '0'; // ink's own chalk reads this when it loads
    const { createElement } = await import('react');
    const { render: renderInk } = await import('ink');
    const { LiveView } = await import('../ui/live-view.js');
    const instance = renderInk(
      createElement(LiveView, {
        header: {
          local: ready.url,
          forward: flags.forwardTo?.href ?? null,
          key: describeKey(flags.publicKey),
          scheme: flags.expectScheme ? `expecting ${flags.scheme}` : 'any scheme',
          store: listener.storeFile,
        },
        initialTunnel: flags.tunnel ? { state: 'connecting', host: flags.tunnelHost.origin } : { state: 'off' },
        subscribe: bus.subscribe,
        replay: (delivery) => listener.replay(delivery),
        onQuit: () => finish(ciMode ? ExitCode.interrupted : ExitCode.ok),
        color: colour,
        showPii: Boolean(flags.showPii),
      }),
      { stdout: io.stdout as NodeJS.WriteStream, stdin: io.stdin as NodeJS.ReadStream, stderr: io.stderr as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: false },
    );
    view = instance;
    void instance.waitUntilExit().then(() => finish(ciMode ? ExitCode.interrupted : ExitCode.ok));
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
  await supervisor?.stop();
  await listener.close();
  writeLine(io.stderr, err.dim(`stopped after ${listener.count} ${listener.count === 1 ? 'delivery' : 'deliveries'}`));
  return code;
}

/** Holds facts until the live view subscribes, then passes them straight through. */
function factBus() {
  const backlog: ListenFact[] = [];
  let sink: ((fact: ListenFact) => void) | null = null;
  return {
    push: (fact: ListenFact): void => {
      if (sink) sink(fact);
      else backlog.push(fact);
    },
    subscribe: (onFact: (fact: ListenFact) => void) => {
      sink = onFact;
      for (const fact of backlog.splice(0)) onFact(fact);
      return () => {
        sink = null;
      };
    },
  };
}

function matches(delivery: Delivery, waitFor: ListenFlags['waitFor']): boolean {
  return waitFor ? waitFor(delivery.classification.event) : true;
}

function printBanner(io: IO, c: Awaited<ReturnType<typeof loadChalk>>, flags: ListenFlags, url: string, storeFile: string | null): void {
  const rows: [string, string][] = [
    ['local', `${url}  ${c.dim('(POST deliveries to any path)')}`],
    ['forward', flags.forwardTo ? `${flags.forwardTo.href}  ${c.dim(`(timeout ${formatDuration(flags.forwardTimeout)})`)}` : c.dim('off (add --forward-to http://127.0.0.1:3000/webhook)')],
    ['verify', `${describeKey(flags.publicKey)}, scheme detected per delivery${flags.expectScheme ? c.dim(` (expecting ${flags.scheme})`) : ''}`],
    ['store', storeFile ?? c.dim(flags.store ? 'unavailable' : 'off (--no-store)')],
    ['tunnel', flags.tunnel ? `connecting to ${flags.tunnelHost.origin}…` : c.dim('off (--no-tunnel): local only')],
  ];
  writeLine(io.stderr, c.bold('idpass listen'));
  for (const [label, value] of rows) writeLine(io.stderr, `  ${label.padEnd(8)} ${value}`);
  if (flags.host !== '127.0.0.1' && flags.host !== '::1' && flags.host !== 'localhost') {
    writeLine(io.stderr, c.yellow(`warning: bound to ${flags.host}: other machines on your network can reach this listener`));
  }
  writeLine(io.stderr, `Send a test delivery: ${c.cyan(`npx idpass trigger verification.completed --to ${url}/webhook`)}`);
  writeLine(io.stderr, c.dim('Ctrl-C to stop.'));
}

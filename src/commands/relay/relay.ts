/** `idpass relay serve` and `idpass relay channel create|list|delete`: a stable URL that keeps every delivery while you are away. */

import { DEFAULT_MAX_BODY_BYTES, DEFAULT_RELAY_PORT } from '../../core/common/defaults.js';
import { parseDuration, parseHost, parseHttpUrl, parsePort, parseSize } from '../../flags/values.js';
import { Command, Option } from '../program/commander.js';
import { addOutputOptions, argParser, type CommandContext, type RunCommand } from '../program/shared-flags.js';
import type { ChannelOptions } from './channel.js';
import type { RelayServeOptions } from './serve.js';

export function createRelayCommand(
  ctx: CommandContext,
  runServe?: RunCommand<RelayServeOptions>,
  runChannel?: (action: 'create' | 'list' | 'delete', options: ChannelOptions, io: CommandContext['io']) => Promise<number>,
): Command {
  const relay = new Command('relay').description(
    'A small server you run on a host you own: Prembly delivers to it, it keeps every delivery (before answering 200) and hands them byte-exact to idpass listen --relay whenever that runs.\n' +
      'Exit codes: 0 ok, 2 bad usage, 3 the relay could not be reached.',
  );
  const serve = serveCommand(ctx, runServe);
  const channel = new Command('channel').description('create, list and delete channels (one per Prembly webhook URL)');
  const common = (command: Command) =>
    addOutputOptions(
      command
        .addOption(
          new Option('--relay <url>', 'the relay (its base URL)')
            .env('IDPASS_RELAY_URL')
            .makeOptionMandatory()
            .argParser(argParser((t) => parseHttpUrl(t, '--relay'))),
        )
        .addOption(new Option('--admin-token <t>', 'the relay’s admin token').env('IDPASS_RELAY_ADMIN_TOKEN').makeOptionMandatory()),
    );
  const act =
    (action: 'create' | 'list' | 'delete') =>
    async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const flags = self.opts<ChannelOptions>();
      const id = action === 'delete' ? (args[0] as string) : undefined;
      const run = runChannel ?? (await import('./channel.js')).runChannel;
      ctx.exitCode = await run(action, { ...flags, id }, ctx.io);
    };
  channel.addCommand(
    common(
      new Command('create')
        .description('a new channel: prints its URL (for the Prembly dashboard) and its token (for listen), once')
        .option('--name <n>', 'a name to tell it by'),
    ).action(act('create')),
  );
  channel.addCommand(
    common(new Command('list').description('the channels, with what each holds and what waits for a client')).action(act('list')),
  );
  channel.addCommand(
    common(new Command('delete').description('delete a channel and everything it holds').argument('<id>', 'the channel id (ch_…)')).action(
      act('delete'),
    ),
  );
  relay.addCommand(serve);
  relay.addCommand(channel);
  return relay;
}

function serveCommand(ctx: CommandContext, runServe?: RunCommand<RelayServeOptions>): Command {
  const serve = new Command('serve')
    .description('run the relay: /in/<channel> takes deliveries, /out/<channel> streams them to idpass listen --relay')
    .addOption(
      new Option('--port <n>', 'port to listen on (env IDPASS_RELAY_PORT, then PORT)')
        .default(DEFAULT_RELAY_PORT)
        .argParser(argParser(parsePort)),
    )
    .addOption(
      new Option('--host <addr>', 'bind address (0.0.0.0 in a container or behind a proxy)')
        .default('127.0.0.1')
        .argParser(argParser(parseHost)),
    )
    .addOption(
      new Option(
        '--db <file-or-url>',
        'SQLite file or postgres:// URL (env IDPASS_RELAY_DB, then DATABASE_URL; default relay.sqlite in the state folder)',
      ),
    )
    .addOption(
      new Option('--public-url <url>', 'the address the world sees, used in printed channel URLs')
        .env('IDPASS_RELAY_PUBLIC_URL')
        .argParser(argParser((t) => parseHttpUrl(t, '--public-url'))),
    )
    .addOption(
      new Option('--max-body <size>', 'larger deliveries get 413').default(DEFAULT_MAX_BODY_BYTES, '10mb').argParser(argParser(parseSize)),
    )
    .addOption(
      new Option('--retain <duration>', 'deliveries older than this are dropped')
        .default(7 * 86_400_000, '7d')
        .argParser(argParser(parseDuration)),
    )
    .addOption(
      new Option('--retain-size <size>', 'per channel, past this many body bytes the oldest are dropped')
        .default(1024 ** 3, '1gb')
        .argParser(argParser(parseSize)),
    )
    .addOption(
      new Option('--admin-token <t>', 'needed to create, list and delete channels (default: generated at first start, printed once)').env(
        'IDPASS_RELAY_ADMIN_TOKEN',
      ),
    )
    .option('--ready-file <path>', 'once listening, write {"url","port","pid"} here; removed on exit');
  return addOutputOptions(serve).action(async (flags: RelayServeOptions, self: Command) => {
    const portGiven = self.getOptionValueSource('port') !== 'default';
    const run = runServe ?? (await import('./serve.js')).runRelayServe;
    ctx.exitCode = await run({ ...flags, portGiven }, ctx.io);
  });
}

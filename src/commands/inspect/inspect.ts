/** `idpass inspect`: the web inspector over the store alone (no listener), following it as another listen writes. */

import { DEFAULT_INSPECT_PORT } from '../../core/common/defaults.js';
import type { Scheme } from '../../core/signing/schemes.js';
import { parsePort } from '../../flags/values.js';
import { writeLine, type IO } from '../../output/io.js';
import { tones } from '../../output/palette.js';
import { safeJson } from '../../output/sanitize.js';
import { terminal } from '../../output/terminal.js';
import { Command, Option } from '../program/commander.js';
import { addSharedOptions, argParser, type CommandContext, type RunCommand, type SharedOptions } from '../program/shared-flags.js';
import { packageVersion } from '../program/version.js';
import { announceReady } from '../steps/ready-file.js';
import { interrupted } from '../steps/stop.js';

export interface InspectOptions extends SharedOptions {
  port: number;
  showPii?: boolean;
  readyFile?: string;
}

export function createInspectCommand(ctx: CommandContext, run: RunCommand<InspectOptions> = runInspect): Command {
  const command = new Command('inspect')
    .description(
      'Serve the web inspector over the recorded deliveries (no listener): browse, search, compare, resend, copy as curl, export HAR. It follows the store as a listen in another terminal records.\n' +
        'Exit codes: 0 stopped cleanly, 2 bad usage.',
    )
    .addOption(
      new Option('-p, --port <n>', 'port on 127.0.0.1 (a free one when taken)')
        .env('IDPASS_INSPECT_PORT')
        .default(DEFAULT_INSPECT_PORT)
        .argParser(argParser(parsePort)),
    )
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and the pictures unredacted')
    .option('--ready-file <path>', 'once serving, write {"url","port","pid"} here; removed on exit');
  addSharedOptions(command, { role: 'verify' });
  command.action(async (flags: InspectOptions) => {
    ctx.exitCode = await run(flags, ctx.io);
  });
  return command;
}

export async function runInspect(options: InspectOptions, io: IO): Promise<number> {
  const term = await terminal(io, options);
  const { Inspector } = await import('../../inspector/server/server.js');
  const { defaultStateDir } = await import('../../core/store/location.js');
  const inspector = new Inspector({
    showPii: Boolean(options.showPii),
    keys: { publicKey: options.publicKey, livePublicKey: options.livePublicKey },
    scheme: options.scheme as Scheme,
    storeDir: defaultStateDir(io.env),
    follow: true,
    receiverUrl: null,
    version: packageVersion(),
  });
  const bound = await inspector.start('127.0.0.1', options.port, true);
  const removeReadyFile = await announceReady(options.readyFile, { url: bound.url, port: bound.port, close: () => inspector.close() });
  const paint = tones(term.err);
  if (bound.fellBack) writeLine(io.stderr, paint.warn(`note: port ${options.port} was taken: the inspector is on ${bound.port}`));
  if (options.json)
    writeLine(io.stdout, safeJson({ type: 'ready', inspector: bound.url, port: bound.port, deliveries: inspector.catalog.size }));
  writeLine(io.stderr, `inspector on ${bound.url} (${inspector.catalog.size} recorded deliveries; this machine only)`);
  writeLine(io.stderr, paint.dim('Ctrl-C to stop.'));
  await interrupted(io.signal);
  await inspector.close();
  await removeReadyFile();
  return 0;
}

/** `idpass events list|show|resend|clear`: what `idpass listen` recorded. */

import type { EventFilter } from '../../core/delivery/event-filter.js';
import { parseEventPatterns, parseStatusExpectation } from '../../flags/domain.js';
import { parseCount, parseDuration, parseHttpUrl } from '../../flags/values.js';
import { Command, Option } from '../program/commander.js';
import { addOutputOptions, addSharedOptions, argParser, type CommandContext } from '../program/shared-flags.js';
import type { ClearOptions } from './clear.js';
import type { ListOptions } from './list.js';
import type { ResendOptions } from './resend.js';
import type { ShowOptions } from './show.js';

const eventPattern = (text: string): EventFilter => parseEventPatterns(text, '--event');

export function createEventsCommand(ctx: CommandContext): Command {
  const events = new Command('events').description(
    'What idpass listen recorded, newest first. Stored in $IDPASS_HOME, else $XDG_STATE_HOME/idpass, else ~/.local/state/idpass.\n' +
      'Exit codes: 0 ok, 1 a resend got an unexpected answer, 2 bad usage or unknown id, 3 network error.',
  );

  const list = new Command('list')
    .description('list recorded deliveries, newest first')
    .addOption(new Option('--limit <n>', 'how many').default(20).argParser(argParser(parseCount)))
    .addOption(
      new Option('--event <pattern>', 'only these events (names or globs like verification.*)').argParser(argParser(eventPattern)),
    );
  addOutputOptions(list).action(async (flags: ListOptions) => {
    ctx.exitCode = await (await import('./list.js')).runList(flags, ctx.io);
  });

  const show = new Command('show')
    .description('everything recorded about one delivery, explained as idpass listen does')
    .argument('<id>', 'delivery id, or enough of its start to be unique')
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and images unredacted');
  addOutputOptions(show).action(async (id: string, flags: ShowOptions) => {
    ctx.exitCode = await (await import('./show.js')).runShow(id, flags, ctx.io);
  });

  const resend = new Command('resend')
    .description('send a recorded delivery again: its original bytes and headers, or re-signed with --resign')
    .argument('<id>', 'delivery id, or enough of its start to be unique')
    .addOption(
      new Option('-t, --to <url>', 'where to send it (default: where listen forwarded it)').argParser(
        argParser((t) => parseHttpUrl(t, '--to')),
      ),
    )
    .option('--resign', 'a fresh token and signature under --public-key and --scheme')
    .addOption(
      new Option('--expect-status <code>', 'status the receiver must answer (default 200)').argParser(argParser(parseStatusExpectation)),
    )
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for the reply').default(10_000, '10s').argParser(argParser(parseDuration)),
    );
  addSharedOptions(resend).action(async (id: string, flags: Omit<ResendOptions, 'keyGiven'>, self: Command) => {
    const keyGiven = self.getOptionValueSource('publicKey') !== 'default' || self.getOptionValueSource('scheme') !== 'default';
    ctx.exitCode = await (await import('./resend.js')).runResend(id, { ...flags, keyGiven }, ctx.io);
  });

  const clear = new Command('clear')
    .description('delete every recorded delivery')
    .option('--yes', 'do not ask (required when not on a terminal)');
  addOutputOptions(clear, { json: false }).action(async (flags: ClearOptions) => {
    ctx.exitCode = await (await import('./clear.js')).runClear(flags, ctx.io);
  });

  for (const sub of [list, show, resend, clear]) events.addCommand(sub);
  return events;
}

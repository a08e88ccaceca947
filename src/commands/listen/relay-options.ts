/** listen's relay flags: --relay, --relay-token and --tunnel (the relay implies no tunnel unless asked). */

import { isLoopbackHost } from '../../core/common/hosts.js';
import { parseChannelUrl, RelaySource } from '../../core/relay/client.js';
import { isClientName } from '../../core/relay/secrets.js';
import { parseRelayRule, RelayFilterError } from '../../core/relay/filter.js';
import { parseHttpUrl, ValueError } from '../../flags/values.js';
import { UsageError } from '../../output/errors.js';
import { InvalidArgumentError, Option, type Command } from '../program/commander.js';
import { argParser } from '../program/shared-flags.js';

export interface RelayFlags {
  relay?: URL;
  relayToken?: string;
  relayClient?: string;
  relayFilter?: string[];
  /** undefined: neither --tunnel nor --no-tunnel (on, unless --relay). */
  tunnel?: boolean;
}

export function addRelayOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--relay <channel-url>',
        'receive from a relay channel (idpass relay) instead of a public tunnel: what it held first, then live',
      )
        .env('IDPASS_RELAY_URL')
        .argParser(argParser((t) => parseHttpUrl(t, '--relay'))),
    )
    .addOption(new Option('--relay-token <t>', 'the channel token relay channel create printed').env('IDPASS_RELAY_TOKEN'))
    .addOption(
      new Option(
        '--relay-client <name>',
        'with --relay: this client’s name, with a cursor of its own (one per developer on a shared channel)',
      ).argParser(argParser(parseClientName)),
    )
    .addOption(
      new Option(
        '--relay-filter <rule>',
        'with --relay: only deliveries that match, filtered on the relay (event patterns, dot.path=value, dot.path^=prefix); repeat: all must match',
      ).argParser(collectRule),
    )
    .addOption(new Option('--tunnel', 'with --relay: open the public tunnel as well'));
}

function parseClientName(text: string): string {
  if (!isClientName(text)) throw new ValueError(`"${text}" is not a client name: use 1 to 64 letters, digits, dots, dashes or underscores`);
  return text;
}

/** One more --relay-filter rule, checked: commander hands over the rules given before it. */
function collectRule(text: string, previous: string[] | undefined): string[] {
  try {
    parseRelayRule(text);
  } catch (error) {
    if (error instanceof RelayFilterError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return [...(previous ?? []), text];
}

/** Whether the tunnel opens: --tunnel / --no-tunnel when given, else on unless deliveries come from a relay. */
export function tunnelWanted(flags: RelayFlags): boolean {
  return flags.tunnel ?? !flags.relay;
}

export function checkRelayFlags(flags: RelayFlags): void {
  if (!flags.relay) {
    if (flags.relayFilter?.length || flags.relayClient)
      throw new UsageError('--relay-filter and --relay-client go with --relay', 'add --relay <channel-url>');
    return;
  }
  if (!parseChannelUrl(flags.relay))
    throw new UsageError(
      `--relay ${flags.relay.origin}${flags.relay.pathname} is not a channel URL`,
      'use the URL relay channel create printed: <relay>/in/ch_…',
    );
  if (!flags.relayToken?.trim())
    throw new UsageError(
      '--relay needs the channel token',
      'add --relay-token <token> (or set IDPASS_RELAY_TOKEN): relay channel create printed it',
    );
  if (flags.relay.protocol === 'http:' && !isLoopbackHost(flags.relay.hostname))
    throw new UsageError(
      `--relay ${flags.relay.origin} is plain HTTP: the channel token and every delivery would cross the network in clear`,
      'serve the relay behind HTTPS (a proxy or your platform terminates TLS) and use https://',
    );
}

export function relaySource(flags: RelayFlags, stateDir: string, recording: boolean): RelaySource | null {
  if (!flags.relay) return null;
  return new RelaySource({
    url: flags.relay,
    token: flags.relayToken!.trim(),
    stateDir,
    storeDir: recording ? stateDir : null,
    client: flags.relayClient,
    filters: flags.relayFilter,
  });
}

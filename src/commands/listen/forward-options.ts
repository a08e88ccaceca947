/** listen's forwarding flags: several targets and routes, extra headers, HTTPS, and no time limit while debugging. */

import { DEFAULT_FORWARD_TIMEOUT_MS } from '../../core/common/defaults.js';
import { parseForwardTarget, parseForwardTimeout } from '../../flags/domain.js';
import { parseHeaderLine } from '../../flags/values.js';
import { Option, type Command } from '../program/commander.js';
import { argParser, collect } from '../program/shared-flags.js';

export function addForwardOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '-f, --forward-to <target>',
        'forward deliveries to your app: a URL, or <event pattern>=<url> for one route; repeat for several (each matching target gets every delivery; the sender gets the first one’s answer)',
      ).argParser(collect(argParser(parseForwardTarget))),
    )
    .addOption(
      new Option(
        '-H, --forward-header <line>',
        '"name: value" added to forwarded requests (replacing one of that name); repeatable',
      ).argParser(collect(argParser(parseHeaderLine))),
    )
    .option('--allow-signature-override', 'let --forward-header replace the signature and token headers (to test your checks)')
    .option('--insecure', 'accept a self-signed certificate on an HTTPS target')
    .addOption(
      new Option('--forward-timeout <duration>', 'how long to wait for the app; none waits while you debug (Prembly gives up after 10s)')
        .default(DEFAULT_FORWARD_TIMEOUT_MS, '10s')
        .argParser(argParser(parseForwardTimeout)),
    );
}

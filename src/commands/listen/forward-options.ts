import { isProtectedHeader } from '../../core/signing/schemes.js';
import type { ForwardTarget } from '../../core/receive/app-forward.js';
import { parseEventPatterns } from '../../flags/domain.js';
import { parseDuration, parseHeaderLine, parseHttpUrl, ValueError } from '../../flags/values.js';
import { UsageError } from '../../output/errors.js';
import { Option, type Command } from '../shared/commander.js';
import { argParser, collect } from '../shared/options.js';

/** listen's forwarding flags: several targets and routes, extra headers, HTTPS, and no time limit while debugging. */

export interface ForwardFlags {
  forwardTo?: ForwardTarget[];
  forwardHeader?: [string, string][];
  allowSignatureOverride?: boolean;
  insecure?: boolean;
  /** Infinity: wait as long as the app takes (commander cannot keep a null). */
  forwardTimeout: number;
}

/** `http://…`, `localhost:3000/x`, or `<event pattern>=<url>` (`workflow.*=http://localhost:3001/wf`). */
export function parseForwardTarget(text: string): ForwardTarget {
  const eq = text.indexOf('=');
  const before = eq > 0 ? text.slice(0, eq) : '';
  // a route's pattern has no ':' or '/'; an '=' further on belongs to the URL's query
  if (before && !/[:/]/.test(before)) {
    const pattern = before.trim();
    return { pattern, events: parseEventPatterns(pattern, '--forward-to'), url: parseHttpUrl(text.slice(eq + 1).trim(), '--forward-to') };
  }
  return { url: parseHttpUrl(text, '--forward-to') };
}

/** A duration, or `0` / `none` for no limit (Infinity). */
export function parseForwardTimeout(text: string): number {
  if (/^\s*(0|none)\s*$/i.test(text)) return Number.POSITIVE_INFINITY;
  const ms = parseDuration(text);
  if (ms < 1) throw new ValueError(`"${text}" is not a timeout: use a duration like 10s, or none`);
  return ms;
}

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
        .default(10_000, '10s')
        .argParser(argParser(parseForwardTimeout)),
    );
}

/** Refuses a forwarded header that would replace what Prembly sent, unless asked for. */
export function checkForwardFlags(flags: ForwardFlags): void {
  const overriding = flags.forwardHeader?.find(([name]) => isProtectedHeader(name));
  if (overriding && !flags.allowSignatureOverride) {
    throw new UsageError(
      `--forward-header ${overriding[0]} would replace the ${overriding[0]} Prembly sent, so your app could not check it`,
      'add --allow-signature-override if that is what you are testing',
    );
  }
}

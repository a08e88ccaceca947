import type { ChalkInstance } from 'chalk';
import { formatDuration } from './format.js';
import { visible } from '../sanitize.js';
import { tones } from '../palette.js';

/** The lines `idpass listen` prints on stderr once bound, when it is not drawing the live view. */
export interface BannerFacts {
  url: string;
  /** The trigger command that reaches this listener with its key. */
  sendHint: string;
  host: string;
  /** Set when other machines can reach the listener: the warning to give. */
  exposed: string | null;
  /** Every forward target as shown (masked, with its event pattern); the sender gets the first's answer. */
  forwardTargets: string[];
  /** null: no limit. */
  forwardTimeoutMs: number | null;
  /** Said once under the targets: no timeout, --insecure, extra headers. */
  forwardNotes: string[];
  key: string;
  expectedScheme: string | null;
  storeFile: string | null;
  storeOn: boolean;
  tunnelHost: string | null;
  /** Deliveries come from a relay channel (its state follows on lines of its own). */
  relay?: boolean;
  /** The web inspector's URL, when it is on. */
  inspector?: string | null;
}

export function bannerLines(c: ChalkInstance, f: BannerFacts): string[] {
  const rows: [string, string][] = [
    ['local', `${f.url}  ${tones(c).dim('(POST deliveries to any path)')}`],
    [
      'forward',
      f.forwardTargets.length
        ? `${f.forwardTargets.map(visible).join(', ')}  ${tones(c).dim(`(timeout ${f.forwardTimeoutMs === null ? 'none' : formatDuration(f.forwardTimeoutMs)}${f.forwardTargets.length > 1 ? '; the sender gets the first one’s answer' : ''})`)}`
        : tones(c).dim('off (add --forward-to http://127.0.0.1:3000/webhooks/identitypass)'),
    ],
    ['verify', `${f.key}, scheme detected per delivery${f.expectedScheme ? tones(c).dim(` (expecting ${f.expectedScheme})`) : ''}`],
    ['store', f.storeFile ?? tones(c).dim(f.storeOn ? 'unavailable' : 'off (--no-store)')],
    [
      'tunnel',
      f.tunnelHost
        ? `connecting to ${f.tunnelHost}…`
        : tones(c).dim(f.relay ? 'off: deliveries come from the relay (--tunnel opens one too)' : 'off (--no-tunnel): local only'),
    ],
  ];
  if (f.inspector) rows.push(['inspect', `${f.inspector}  ${tones(c).dim('(the web inspector; this machine only)')}`]);
  const lines = [tones(c).strong('idpass listen'), ...rows.map(([label, value]) => `  ${label.padEnd(8)} ${value}`)];
  if (f.exposed) lines.push(tones(c).warn(`warning: ${f.exposed}`));
  for (const note of f.forwardNotes) lines.push(tones(c).warn(`note: ${note}`));
  lines.push(`Send a test delivery: ${tones(c).info(f.sendHint)}`);
  lines.push(tones(c).dim('Ctrl-C to stop.'));
  return lines;
}

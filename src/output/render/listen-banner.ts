import type { ChalkInstance } from 'chalk';
import { formatDuration } from './format.js';
import { maskUrl } from '../../core/http/url.js';

/** The lines `idpass listen` prints on stderr once bound, when it is not drawing the live view. */
export interface BannerFacts {
  url: string;
  /** The trigger command that reaches this listener with its key. */
  sendHint: string;
  host: string;
  /** Set when other machines can reach the listener: the warning to give. */
  exposed: string | null;
  forwardTo: URL | null;
  forwardTimeoutMs: number;
  key: string;
  expectedScheme: string | null;
  storeFile: string | null;
  storeOn: boolean;
  tunnelHost: string | null;
}

export function bannerLines(c: ChalkInstance, f: BannerFacts): string[] {
  const rows: [string, string][] = [
    ['local', `${f.url}  ${c.dim('(POST deliveries to any path)')}`],
    [
      'forward',
      f.forwardTo
        ? `${maskUrl(f.forwardTo)}  ${c.dim(`(timeout ${formatDuration(f.forwardTimeoutMs)})`)}`
        : c.dim('off (add --forward-to http://127.0.0.1:3000/webhook)'),
    ],
    ['verify', `${f.key}, scheme detected per delivery${f.expectedScheme ? c.dim(` (expecting ${f.expectedScheme})`) : ''}`],
    ['store', f.storeFile ?? c.dim(f.storeOn ? 'unavailable' : 'off (--no-store)')],
    ['tunnel', f.tunnelHost ? `connecting to ${f.tunnelHost}…` : c.dim('off (--no-tunnel): local only')],
  ];
  const lines = [c.bold('idpass listen'), ...rows.map(([label, value]) => `  ${label.padEnd(8)} ${value}`)];
  if (f.exposed) lines.push(c.yellow(`warning: ${f.exposed}`));
  lines.push(`Send a test delivery: ${c.cyan(f.sendHint)}`);
  lines.push(c.dim('Ctrl-C to stop.'));
  return lines;
}

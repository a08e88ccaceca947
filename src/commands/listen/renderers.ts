import { tunnelWanted } from './relay-options.js';
import type { ListenSession } from '../../core/session/listen-session.js';
import { exposedHostWarning } from '../../flags/values.js';
import { writeLine, type IO } from '../../output/io.js';
import type { ListenRenderer } from '../../output/render/listen-renderers.js';
import type { Terminal } from '../../output/terminal.js';
import { describeKeys } from '../program/keys.js';
import type { ListenOptions } from './options.js';

/** A terminal gets the live view; pipes get plain lines; --json gets NDJSON. */
export async function listenRenderer(
  options: ListenOptions,
  io: IO,
  term: Terminal,
  session: ListenSession,
  inspector: string | null,
): Promise<ListenRenderer> {
  if (term.interactive) return (await import('./live.js')).liveRenderer(options, io, term, session, inspector);
  const { plainRenderer, jsonRenderer } = await import('../../output/render/listen-renderers.js');
  const lines = options.json ? jsonRenderer(io, Boolean(options.showPii), term.err, inspector) : plainRenderer(io, term.out, term.err);
  return { ...lines, ready: (at) => printBanner(options, session, at, io, term, inspector) };
}

/** What the forwarding flags change from Prembly's behaviour, said once. */
function forwardNotes(options: ListenOptions): string[] {
  const notes: string[] = [];
  if (!Number.isFinite(options.forwardTimeout))
    notes.push('--forward-timeout none: idpass waits for your app as long as it takes; Prembly gives up after 10s');
  if (options.insecure) notes.push('--insecure: HTTPS targets are reached without checking their certificate');
  if (options.forwardHeader?.length) notes.push(`forwarded requests carry ${options.forwardHeader.map(([name]) => name).join(', ')} too`);
  return notes;
}

/** The lines listen prints on stderr once bound, when it is not drawing the live view. */
async function printBanner(
  options: ListenOptions,
  session: ListenSession,
  at: { url: string; sendHint: string },
  io: IO,
  term: Terminal,
  inspector: string | null,
): Promise<void> {
  const { bannerLines } = await import('../../output/render/listen-banner.js');
  const banner = bannerLines(term.err, {
    url: at.url,
    sendHint: at.sendHint,
    host: options.host,
    exposed: exposedHostWarning(options.host),
    forwardTargets: session.listener.forwardTargets,
    forwardTimeoutMs: Number.isFinite(options.forwardTimeout) ? options.forwardTimeout : null,
    forwardNotes: forwardNotes(options),
    key: describeKeys(options),
    expectedScheme: options.expectScheme ? options.scheme : null,
    storeFile: session.listener.storeFile,
    storeOn: options.store,
    tunnelHost: tunnelWanted(options) ? options.tunnelHost.origin : null,
    relay: Boolean(options.relay),
    inspector,
  });
  for (const line of banner) writeLine(io.stderr, line);
}

import type { EventFilter } from '../../core/delivery/event-filter.js';
import { ExitCode } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { eventsTableHeader, eventsTableRow, recordSummary } from '../../output/render/events-table.js';
import type { OutputOptions } from '../program/shared-flags.js';
import { newestRecords } from './store-access.js';
import { safeJson } from '../../output/sanitize.js';

export interface ListOptions extends OutputOptions {
  limit: number;
  event?: EventFilter;
}

/** `idpass events list`: recorded deliveries, newest first. */
export async function runList(options: ListOptions, io: IO): Promise<number> {
  const filter = options.event ? (r: { event: string | null }) => options.event!(r.event) : undefined;
  const { records: chosen, file, more } = await newestRecords(io, options.limit, filter);
  if (options.json) {
    for (const r of chosen) writeLine(io.stdout, safeJson(recordSummary(r)));
    return ExitCode.ok;
  }
  if (chosen.length === 0 && !more) {
    io.stderr.write(
      options.event
        ? `no recorded delivery matches --event (${file})\n`
        : `no deliveries recorded yet (${file}); run idpass listen and send it one\n`,
    );
    return ExitCode.ok;
  }
  const c = (await terminal(io, options)).out;
  writeLine(io.stdout, eventsTableHeader(c));
  for (const r of chosen) writeLine(io.stdout, eventsTableRow(r, c));
  if (more) io.stderr.write(`the newest ${chosen.length} shown; older ones are in the store (--limit shows more)\n`);
  return ExitCode.ok;
}

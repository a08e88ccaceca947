import type { EventFilter } from '../../core/delivery/event-filter.js';
import { ExitCode } from '../../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../../output/io.js';
import { eventsTableHeader, eventsTableRow, recordSummary } from '../../output/render/events-table.js';
import type { OutputOptions } from '../shared/options.js';
import { loadStore } from './store-access.js';
import { safeJson } from '../../output/sanitize.js';

export interface ListOptions extends OutputOptions {
  limit: number;
  event?: EventFilter;
}

/** `idpass events list`: recorded deliveries, newest first. */
export async function runList(options: ListOptions, io: IO): Promise<number> {
  const { records, file } = await loadStore(io);
  const chosen = records
    .filter((r) => (options.event ? options.event(r.event) : true))
    .reverse()
    .slice(0, options.limit);
  if (options.json) {
    for (const r of chosen) writeLine(io.stdout, safeJson(recordSummary(r)));
    return ExitCode.ok;
  }
  if (records.length === 0) {
    io.stderr.write(`no deliveries recorded yet (${file}); run idpass listen and send it one\n`);
    return ExitCode.ok;
  }
  const c = await loadChalk(colorLevel(io, io.stdout, !options.color));
  writeLine(io.stdout, eventsTableHeader(c));
  for (const r of chosen) writeLine(io.stdout, eventsTableRow(r, c));
  const hidden = records.length - chosen.length;
  if (hidden > 0) io.stderr.write(`${chosen.length} of ${records.length} shown (--limit, --event)\n`);
  return ExitCode.ok;
}

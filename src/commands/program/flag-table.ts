import type { Command, Option } from './commander.js';

/**
 * The flag table of a command's docs page, made from its commander definition (as gh's gen-docs
 * makes its pages), so the page and `--help` cannot disagree: `npm run docs` writes the tables and
 * a test fails when a page is stale.
 */

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** Prose in a cell: `<url>` would read as markup. */
const prose = (text: string) => cell(text).replace(/</g, '&lt;').replace(/>/g, '&gt;');

function defaultOf(option: Option): string {
  if (option.defaultValueDescription) return option.defaultValueDescription;
  const value: unknown = option.defaultValue;
  if (value === undefined || value === false) return '';
  if (value instanceof URL) return value.href;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One row per option, in `--help` order; `--help` itself is left out. */
export function flagTable(command: Command): string {
  const rows = ['| flag | default | env | meaning |', '|---|---|---|---|'];
  for (const option of command.options as Option[]) {
    if (option.long === '--help') continue;
    const choices = option.argChoices ? ` (${option.argChoices.join(', ')})` : '';
    const env = option.envVar ? `\`${option.envVar}\`` : '';
    const fallback = defaultOf(option);
    rows.push(
      `| \`${cell(option.flags)}\` | ${fallback ? `\`${cell(fallback)}\`` : ''} | ${env} | ${prose(option.description)}${prose(choices)} |`,
    );
  }
  return rows.join('\n');
}

/** The marker a page puts around a generated table: `<!-- flags: idpass events list -->` … `<!-- /flags -->`. */
export const TABLE_MARKER = /<!-- flags: (idpass[\w -]*?) -->\n[\s\S]*?<!-- \/flags -->/g;

/** A page with every marked table made anew from the commands (by their full names). */
export function withFlagTables(page: string, commands: Map<string, Command>): string {
  return page.replace(TABLE_MARKER, (_whole, name: string) => {
    const command = commands.get(name);
    if (!command) throw new Error(`no command named "${name}" for a flag table`);
    return `<!-- flags: ${name} -->\n${flagTable(command)}\n<!-- /flags -->`;
  });
}

/** Every command and subcommand of the program by full name (`idpass events list`). */
export function commandsByName(program: Command): Map<string, Command> {
  const found = new Map<string, Command>();
  const walk = (command: Command, prefix: string) => {
    const name = prefix ? `${prefix} ${command.name()}` : command.name();
    found.set(name, command);
    for (const sub of command.commands) walk(sub, name);
  };
  walk(program, '');
  return found;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli.js';
import { commandsByName, flagTable, TABLE_MARKER, withFlagTables } from '../../../src/commands/program/flag-table.js';
import { createFakeIO } from '../../../src/output/fake-io.js';

const DOCS = fileURLToPath(new URL('../../../docs/commands/', import.meta.url));

async function commands() {
  return commandsByName(await buildProgram({ io: createFakeIO(), exitCode: 0 }, [], { all: true }));
}

describe('docs/commands: every flag table is the one --help describes', () => {
  it('each page’s tables match the command definitions (npm run docs writes them)', async () => {
    const byName = await commands();
    for (const page of readdirSync(DOCS).filter((n) => n.endsWith('.md'))) {
      const text = readFileSync(join(DOCS, page), 'utf8');
      expect(withFlagTables(text, byName), `docs/commands/${page} is stale: run npm run docs`).toBe(text);
    }
  });

  it('every command and subcommand has a page with its table, and every table names a command', async () => {
    const byName = await commands();
    const tabled = readdirSync(DOCS)
      .filter((n) => n.endsWith('.md'))
      .flatMap((page) => [...readFileSync(join(DOCS, page), 'utf8').matchAll(TABLE_MARKER)].map((m) => m[1]!));
    const leaves = [...byName.entries()].filter(([name, c]) => name !== 'idpass' && c.commands.length === 0).map(([name]) => name);
    expect(tabled.sort()).toEqual(leaves.sort());
  });

  it('lists every option --help lists, with its default and environment variable', async () => {
    const listen = (await commands()).get('idpass listen')!;
    const table = flagTable(listen);
    const help = listen.helpInformation();
    for (const option of listen.options) {
      if (option.long === '--help') continue;
      expect(help).toContain(option.flags);
      expect(table).toContain(`\`${option.flags}\``);
    }
    expect(table).toMatch(/\| `-p, --port <n>` \| `4567` \| `IDPASS_PORT` \|/);
    expect(table).not.toContain('--help');
  });
});

// Writes the flag tables in docs/commands/*.md from the built command definitions (npm run docs).
// With --check it writes nothing and exits 1 naming each page whose tables are stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { buildProgram } = await import(join(root, 'dist/cli.js'));
const { commandsByName, withFlagTables } = await import(join(root, 'dist/commands/program/flag-table.js'));
const { createFakeIO } = await import(join(root, 'dist/output/fake-io.js'));

const program = await buildProgram({ io: createFakeIO(), exitCode: 0 }, [], { all: true });
const commands = commandsByName(program);
const check = process.argv.includes('--check');
const dir = join(root, 'docs', 'commands');
const stale = [];
for (const name of readdirSync(dir).filter((n) => n.endsWith('.md'))) {
  const path = join(dir, name);
  const page = readFileSync(path, 'utf8');
  const fresh = withFlagTables(page, commands);
  if (fresh === page) continue;
  stale.push(name);
  if (!check) writeFileSync(path, fresh);
}
if (check && stale.length) {
  console.error(`stale flag tables in docs/commands: ${stale.join(', ')} (npm run docs writes them)`);
  process.exitCode = 1;
} else
  console.log(
    check ? 'every flag table matches --help' : `flag tables written${stale.length ? `: ${stale.join(', ')}` : ' (none changed)'}`,
  );

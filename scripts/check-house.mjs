// The house rules eslint cannot state, run by `npm run lint`; exits 1 and names each breach:
// - no import cycle in src/, type-only and dynamic imports included (eslint's import-x/no-cycle
//   skips `import type`, yet a type-only cycle still ties two modules together for a reader);
// - a command's run function (`export async function run…` in src/commands) stays within 40 lines,
//   as gh keeps its xRun functions short: the work is in core and in the steps it calls;
// - no file loose in src/core: every file belongs to a capability folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// static imports and re-exports (`import type` included) and dynamic import(): a module loaded
// lazily is still a dependency
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const match of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1] ?? match[2]).replace(/\.js$/, '');
    for (const ext of ['.ts', '.tsx']) found.push(target + ext);
  }
  return found;
}

const files = sourceFiles(root);
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => known.has(t))]));

// Tarjan's strongly connected components: every component of more than one file is a cycle
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const next of graph.get(node)) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component);
  }
}
for (const file of files) if (!state.has(file)) visit(file);

const problems = cycles.map((cycle) => `import cycle: ${cycle.map((f) => relative(root, f)).join(' ⇄ ')}`);

const RUN_LIMIT = 40;
for (const file of files.filter((f) => relative(root, f).startsWith('commands/'))) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, at) => {
    const name = /^export async function (run\w*)\(/.exec(line)?.[1];
    if (!name) return;
    const end = lines.findIndex((l, i) => i > at && l === '}');
    const body = lines.slice(at, end + 1).filter((l) => l.trim() !== '' && !/^\s*(\/\/|\/?\*)/.test(l));
    if (body.length > RUN_LIMIT) problems.push(`${relative(root, file)}: ${name} has ${body.length} lines (at most ${RUN_LIMIT})`);
  });
}

const coreDir = join(root, 'core');
for (const name of readdirSync(coreDir)) {
  if (!statSync(join(coreDir, name)).isDirectory()) problems.push(`core/${name} is loose in src/core: put it in a capability folder`);
}

for (const problem of problems) console.error(problem);
if (problems.length) process.exitCode = 1;
else console.log(`house rules hold for ${files.length} files in src/ (no import cycle, short run functions, nothing loose in core/)`);

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A consumer project that depends on the packed tarball, with a lockfile holding our own resolved
 * production tree, so that `npm ci --offline` installs it from the tarball and npm's cache alone
 * (the cache `npm ci` filled for this checkout): no registry, no network.
 */
export function writeConsumer(project: string, tarball: string, type: 'module' | 'commonjs' = 'module'): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const root = lock.packages['']!;
  const integrity = `sha512-${createHash('sha512')
    .update(readFileSync(join(project, tarball)))
    .digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { idpass: `file:${tarball}` } },
    'node_modules/idpass': {
      version: pkg.version,
      resolved: `file:${tarball}`,
      integrity,
      license: root.license,
      dependencies: root.dependencies,
      optionalDependencies: root.optionalDependencies,
      bin: root.bin,
      engines: root.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    // devOptional: needed by the dev tools and by an optional dependency of ours (the SQLite driver)
    if (path && !entry.dev) packages[path] = entry;
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type, dependencies: { idpass: `file:${tarball}` } }),
  );
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
}

/** A fresh project of a user's own that installed the packed tarball (offline), of the given module type. */
export async function installedProject(type: 'module' | 'commonjs' = 'module'): Promise<{ project: string; tarball: string }> {
  const project = join(mkdtempSync(join(tmpdir(), 'idpass-pack-')), 'consumer');
  mkdirSync(project);
  // dist/ is already built by `npm test`; packing must not rebuild it under the other tests' feet
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: ROOT });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  writeConsumer(project, tarball, type);
  // without install scripts: the optional SQLite driver's native build (a minute of g++) is not what
  // these tests check; the relay's tests run that driver from the checkout
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });
  return { project, tarball };
}

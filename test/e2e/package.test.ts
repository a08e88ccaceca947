import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ALL_KINDS } from '../helpers/prembly-doc.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A consumer project that depends on the packed tarball, with a lockfile holding our own resolved
 * production tree, so that `npm ci --offline` installs it from the tarball and npm's cache alone
 * (the cache `npm ci` filled for this checkout): no registry, no network.
 */
function writeConsumer(project: string, tarball: string): void {
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
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { idpass: `file:${tarball}` } }),
  );
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
}

describe('the packed package, installed as a user would (offline, from the tarball)', () => {
  it('installs, runs the CLI and serves the library', async () => {
    const project = join(mkdtempSync(join(tmpdir(), 'idpass-pack-')), 'consumer');
    mkdirSync(project);
    // dist/ is already built by `npm test`; packing must not rebuild it under the other tests' feet
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: ROOT });
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^idpass-\d+\.\d+\.\d+\.tgz$/);
    writeConsumer(project, tarball!);
    // without install scripts: the optional SQLite driver's native build (a minute of g++) is not what
    // this test checks; the relay's tests run that driver from the checkout
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });

    const version = await run('npx', ['--no-install', 'idpass', '--version'], { cwd: project });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const list = await run('npx', ['--no-install', 'idpass', 'trigger', '--list'], { cwd: project });
    expect(list.stdout.trim().split('\n').sort()).toEqual([...ALL_KINDS].sort());

    writeFileSync(
      join(project, 'check.mjs'),
      `import { sign, verify, classify, loadFixture, identitypassWebhook, createListener, trigger } from 'idpass';
const key = 'test_pk_pack0check0key0abcd';
const body = JSON.stringify(loadFixture('verification.completed', { product: 'nin' }));
const { headers } = sign({ body, publicKey: key, scheme: 'prembly-hmac' });
const good = verify({ body, headers, publicKey: key });
const bad = verify({ body: body + ' ', headers, publicKey: key });
console.log(JSON.stringify({ good: good.valid, bad: bad.valid, event: classify(JSON.parse(body)).event,
  middleware: typeof identitypassWebhook({ publicKey: key }), listener: typeof createListener, trigger: typeof trigger }));
`,
    );
    const check = await run('node', ['check.mjs'], { cwd: project });
    expect(JSON.parse(check.stdout)).toEqual({
      good: true,
      bad: false,
      event: 'verification.completed',
      middleware: 'function',
      listener: 'function',
      trigger: 'function',
    });

    // the tree a user gets: no axios older than 1.x (npm overrides would not reach it)
    const tree = await run('npm', ['ls', 'axios', '--all', '--json'], { cwd: project });
    const versions = [...tree.stdout.matchAll(/"axios":\s*\{\s*"version":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) expect(Number(v.split('.')[0])).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

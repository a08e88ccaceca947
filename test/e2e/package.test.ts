import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ALL_KINDS } from '../helpers/prembly-doc.js';
import { installedProject } from '../helpers/consumer.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the packed package, installed as a user would (offline, from the tarball)', () => {
  it('installs, runs the CLI and serves the library', async () => {
    const { project, tarball } = await installedProject();
    expect(tarball).toMatch(/^idpass-\d+\.\d+\.\d+\.tgz$/);

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

    // no compiled file points at a source map the package does not ship
    const shipped = await run('grep', ['-rl', 'sourceMappingURL', join(project, 'node_modules/idpass/dist')]).catch(() => ({ stdout: '' }));
    expect(shipped.stdout).toBe('');

    // the tree a user gets: no axios older than 1.x (npm overrides would not reach it)
    const tree = await run('npm', ['ls', 'axios', '--all', '--json'], { cwd: project });
    const versions = [...tree.stdout.matchAll(/"axios":\s*\{\s*"version":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) expect(Number(v.split('.')[0])).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('require() from a CommonJS project, in JavaScript and in TypeScript (commonjs and nodenext), gets the same library', async () => {
    // what `npm init -y` makes: a CommonJS project
    const { project } = await installedProject('commonjs');
    writeFileSync(
      join(project, 'check.js'),
      `const { sign, verify, identitypassWebhook, loadFixture } = require('idpass');
const key = 'test_pk_cjs0check0key0abcdef';
const body = JSON.stringify(loadFixture('verification.completed'));
const { headers } = sign({ body, publicKey: key });
console.log(JSON.stringify({ valid: verify({ body, headers, publicKey: key }).valid, middleware: typeof identitypassWebhook({ publicKey: key }) }));
`,
    );
    const js = await run('node', ['check.js'], { cwd: project });
    expect(JSON.parse(js.stdout)).toEqual({ valid: true, middleware: 'function' });
    // TypeScript in a CommonJS project: it type-checks, compiles to require(), and runs
    writeFileSync(
      join(project, 'check.ts'),
      `import { sign, verify, type VerifyResult } from 'idpass';
const key: string = 'test_pk_cts0check0key0abcdef';
const { headers } = sign({ body: '{"a":1}', publicKey: key });
const result: VerifyResult = verify({ body: '{"a":1}', headers, publicKey: key });
console.log(JSON.stringify({ valid: result.valid }));
`,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    for (const [module, resolution] of [
      ['commonjs', 'node10'],
      ['nodenext', 'nodenext'],
    ] as const) {
      await run(
        process.execPath,
        [
          tsc,
          '--module',
          module,
          '--moduleResolution',
          resolution,
          '--target',
          'es2022',
          '--strict',
          '--skipLibCheck',
          '--types',
          'node',
          '--typeRoots',
          join(ROOT, 'node_modules/@types'),
          '--ignoreDeprecations',
          '6.0',
          '--outDir',
          `out-${module}`,
          'check.ts',
        ],
        { cwd: project },
      );
      const ts = await run('node', [join(`out-${module}`, 'check.js')], { cwd: project });
      expect(JSON.parse(ts.stdout), module).toEqual({ valid: true });
      expect(readFileSync(join(project, `out-${module}`, 'check.js'), 'utf8')).toMatch(/require\("idpass"\)/);
    }
  }, 120_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the packed package, installed as a user would (offline, from the tarball)', () => {
  it('installs, runs the CLI and serves the library', async () => {
    const work = mkdtempSync(join(tmpdir(), 'idpass-pack-'));
    // dist/ is already built by `npm test`; packing must not rebuild it under the other tests' feet
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^idpass-\d+\.\d+\.\d+\.tgz$/);

    const project = join(work, 'consumer');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball!)], { cwd: project });

    const version = await run('npx', ['--no-install', 'idpass', '--version'], { cwd: project });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const list = await run('npx', ['--no-install', 'idpass', 'trigger', '--list'], { cwd: project });
    expect(list.stdout.trim().split('\n')).toHaveLength(9);

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
    expect(JSON.parse(check.stdout)).toEqual({ good: true, bad: false, event: 'verification.completed', middleware: 'function', listener: 'function', trigger: 'function' });

    // the tree a user gets: no axios older than 1.x (npm overrides would not reach it)
    const tree = await run('npm', ['ls', 'axios', '--all', '--json'], { cwd: project });
    const versions = [...tree.stdout.matchAll(/"axios":\s*\{\s*"version":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) expect(Number(v.split('.')[0])).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempHome } from '../helpers/listen.js';
import { freePort } from '../helpers/receiver.js';
import { startCluster } from '../helpers/pg-cluster.mjs';
import { testScope } from '../helpers/scope.js';
import { installedProject } from '../helpers/consumer.js';

/**
 * README.md and docs/ run as written: every block marked `<!-- runnable: … -->` in them is executed
 * here, verbatim, with the built bin (through `npx`, as the README says) against real apps on
 * loopback. The examples name ports 3000 (the app), 4567 (listen) and 4568 (the sandbox); each run
 * swaps in ports the OS picked (PORTS), so a developer's own app on 3000 is never taken for the test's.
 */
const scope = testScope();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The README, then every page under docs/, as one text: the examples are found wherever they live. */
function docsPages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) =>
      entry.isDirectory() ? docsPages(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    );
}
const README = [join(ROOT, 'README.md'), ...docsPages(join(ROOT, 'docs'))].map((file) => readFileSync(file, 'utf8')).join('\n');
/** The ports the examples name, as ports the OS picked for this run. */
const PORTS = { app: 0, listen: 0, sandbox: 0, relay: 0, relayB: 0 };

/** An example's text with its ports swapped for this run's. */
function onOurPorts(text: string): string {
  return text
    .replace(/\b3000\b/g, String(PORTS.app))
    .replace(/\b4567\b/g, String(PORTS.listen))
    .replace(/\b4568\b/g, String(PORTS.sandbox))
    .replace(/\b8080\b/g, String(PORTS.relay))
    .replace(/\b8081\b/g, String(PORTS.relayB));
}

/** What the examples' defaults read, pointed at this run's ports. */
function portEnv(): Record<string, string> {
  return {
    IDPASS_PORT: String(PORTS.listen),
    IDPASS_TRIGGER_URL: `http://127.0.0.1:${PORTS.listen}/webhook`,
    IDPASS_SANDBOX_PORT: String(PORTS.sandbox),
  };
}

const BUILTIN_KEYS = {
  IDPASS_PUBLIC_KEY: 'test_pk_idpass0sandbox0key0not0for0production',
  IDPASS_LIVE_PUBLIC_KEY: 'live_pk_idpass0stand0in0live0key0not0real',
};

interface Runnable {
  /** The words after `runnable:` in the marker: what the block needs around it. */
  needs: string;
  lang: string;
  code: string;
}

/** Every fenced block that follows a `<!-- runnable: … -->` marker, in the README and docs/, in order. */
function runnableBlocks(): Runnable[] {
  return [...README.matchAll(/<!-- runnable: (.*?) -->\n```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
    needs: m[1]!,
    lang: m[2]!,
    code: m[3]!,
  }));
}

/** The block behind one marker, by the marker's whole text. */
function runnable(needs: string): Runnable {
  const found = runnableBlocks().filter((b) => b.needs === needs);
  expect(found, `one runnable block marked "${needs}"`).toHaveLength(1);
  return found[0]!;
}

const MARKERS = {
  quickStart: 'a clone where npm install ran (a test runs the npx idpass listen part; npm test is what runs the test)',
  secondTerminal: 'a running listen',
  triggerExamples: 'an app on 127.0.0.1:3000 that verifies signatures',
  actionsStep: 'a project whose npm start serves the middleware example on port 3000',
  listenCi: 'a CI step in a clone',
  doctor: 'the middleware example listening on 127.0.0.1:3000 (doctor)',
  doctorStep: 'a project whose npm start serves the middleware example on port 3000 (doctor)',
  sandboxStep: 'a project whose npm start serves a KYC app on port 3000 (sandbox)',
  events: 'a store holding a verification delivery, and an app on 127.0.0.1:3000',
  importLine: 'a clone, as an ES module',
  middleware: 'a clone, as an ES module, with IDPASS_PUBLIC_KEY set',
  inTests: 'the middleware example listening on 127.0.0.1:3000',
  relay: 'a relay on this machine (relay)',
  relayTeam: 'two relays on one PostgreSQL (relay team)',
  inspector: 'a listener with its inspector, read with curl (inspector)',
  install: 'a project of your own (install)',
};

interface ShellRun {
  code: number | null;
  output: string;
}

/**
 * Runs a script in bash as its own process group and, when it ends, stops whatever it left running
 * in the background (an `npm start &`, a `listen &`), as a CI runner does at the end of a step.
 */
function runShell(script: string, options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<ShellRun> {
  const child = spawn('bash', ['-e', '-c', onOurPorts(script)], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...portEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  };
  const timer = setTimeout(killGroup, options.timeoutMs ?? 60_000);
  // the script's end is bash's exit: what it left in the background still holds the pipes open
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const closed = new Promise((resolve) => child.on('close', resolve));
  return exited.then(async (code) => {
    clearTimeout(timer);
    killGroup();
    await closed;
    return { code, output };
  });
}

/** Waits until something accepts connections on 127.0.0.1:port. */
async function portAnswers(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'HEAD', path: '/' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A user's project: the README's middleware example as `app.js` (plus the line that makes it listen
 * on 3000), `npm start` running it, and this package installed as `idpass` (linked, as `npm link idpass` would).
 */
function userProject(app?: string): string {
  const middleware = /```js\n(import express[\s\S]*?)```/.exec(README)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'idpass-user-app-'));
  scope.defer(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'my-app', private: true, type: 'module', scripts: { start: 'node app.js' } }),
  );
  writeFileSync(join(dir, 'app.js'), onOurPorts(app ?? `${middleware}\napp.listen(3000, '127.0.0.1');\n`));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'idpass'));
  symlinkSync(join(ROOT, 'node_modules', 'express'), join(dir, 'node_modules', 'express'));
  symlinkSync(join('..', 'idpass', 'bin', 'idpass.js'), join(dir, 'node_modules', '.bin', 'idpass'));
  return dir;
}

/** Starts the README's middleware example on 127.0.0.1:3000 with these keys; stopped after the test. */
async function startMiddlewareApp(env: Record<string, string>): Promise<{ output: () => string }> {
  const dir = userProject();
  const child = spawn(process.execPath, ['app.js'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  scope.defer(() => {
    child.kill('SIGKILL');
    return new Promise((resolve) => (child.exitCode === null ? child.on('close', resolve) : resolve(undefined)));
  });
  await portAnswers(PORTS.app);
  return { output: () => output };
}

/** A GitHub Actions step's `run:` script, and its `env:` with each `${{ secrets.X }}` given a made-up account's key. */
function actionsStep(yaml: string): { script: string; env: Record<string, string> } {
  const lines = yaml.split('\n');
  const runAt = lines.findIndex((l) => l.trim() === 'run: |');
  const envAt = lines.findIndex((l) => l.trim() === 'env:');
  expect(runAt).toBeGreaterThan(0);
  expect(envAt).toBeGreaterThan(runAt);
  const script = lines
    .slice(runAt + 1, envAt)
    .map((l) => l.replace(/^ {4}/, ''))
    .join('\n');
  // the secrets a user would store: here the keys of a made-up account, so the app knows no built-in key
  const secrets: Record<string, string> = {
    PREMBLY_TEST_PUBLIC_KEY: 'test_pk_ci0account0key0a1b2c3',
    PREMBLY_LIVE_PUBLIC_KEY: 'live_pk_ci0account0key0d4e5f6',
  };
  const env: Record<string, string> = {};
  for (const line of lines.slice(envAt + 1)) {
    const m = /^\s+(\w+): (.+)$/.exec(line);
    if (!m) continue;
    const secret = /^\$\{\{ secrets\.(\w+) \}\}$/.exec(m[2]!);
    env[m[1]!] = secret ? secrets[secret[1]!]! : m[2]!;
  }
  expect(Object.keys(env)).toEqual(expect.arrayContaining(['IDPASS_LIVE_PUBLIC_KEY', 'IDPASS_PUBLIC_KEY']));
  return { script, env };
}

describe('README.md and docs/, run as written', () => {
  beforeAll(async () => {
    PORTS.app = await freePort();
    PORTS.listen = await freePort();
    PORTS.sandbox = await freePort();
    PORTS.relay = await freePort();
    PORTS.relayB = await freePort();
  });

  it('the team example: two relays on one PostgreSQL, a filtered client on the other relay gets only its own', async () => {
    const cluster = await startCluster();
    scope.defer(() => cluster.stop());
    const home = tempHome();
    const env = { IDPASS_HOME: home, DATABASE_URL: await cluster.database(), ...BUILTIN_KEYS };
    const run = await runShell(runnable(MARKERS.relayTeam).code, { cwd: ROOT, env, timeoutMs: 90_000 });
    expect(run.output).toMatch(/1 of 1 matching deliveries arrived/);
    expect(run.code, run.output).toBe(0);
    // trigger names each reference once; listen shows only Ada's delivery
    const mentions = (ref: string) => run.output.split('\n').filter((line) => line.includes(ref));
    expect(mentions('bola-7'), run.output).toHaveLength(1);
    expect(mentions('ada-42').length, run.output).toBeGreaterThanOrEqual(2);
    expect(mentions('ada-42').some((line) => /VERIFIED/.test(line) && /relayed #1/.test(line))).toBe(true);
  }, 120_000);

  it('the relay example: a channel keeps the delivery sent while nothing listens, and listen --relay gets it', async () => {
    const home = tempHome();
    const run = await runShell(runnable(MARKERS.relay).code, { cwd: ROOT, env: { IDPASS_HOME: home, ...BUILTIN_KEYS }, timeoutMs: 60_000 });
    expect(run.output).toMatch(/1 of 1 matching deliveries arrived/);
    expect(run.code, run.output).toBe(0);
    // the token the example generated never shows up in what it printed
    expect(run.output).not.toMatch(/rta_/);
  });

  it('the inspector example: its API answers the token with the delivery, and 401 without it', async () => {
    const run = await runShell(runnable(MARKERS.inspector).code, {
      cwd: ROOT,
      env: { IDPASS_HOME: tempHome(), ...BUILTIN_KEYS },
      timeoutMs: 60_000,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/"reference":"ref-inspect-1"/);
    expect(run.output).toContain('without the token: 401');
  });

  it('the install example, in a project of its own that installed the packed tarball (no clone)', async () => {
    const { project } = await installedProject();
    // the registry is not reachable here: the tarball install stands in for `npm install --save-dev idpass`
    const code = runnable(MARKERS.install).code.replace(/^npm install --save-dev idpass.*\n/m, '');
    expect(code).not.toMatch(/npm install/);
    const run = await runShell(code, { cwd: project, timeoutMs: 60_000 });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^\d+\.\d+\.\d+$/m);
    expect(run.output).toMatch(/^verification\.completed$/m);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // (runShell puts the examples on this run's ports: 3000 became the app's)
    expect(pkg.scripts.webhooks).toMatch(/^idpass listen --forward-to :\d+\/webhooks\/identitypass$/);
    // the script runs the project's own copy
    const help = await runShell('npm run --silent webhooks -- --help', { cwd: project, timeoutMs: 30_000 });
    expect(help.output).toMatch(/Usage: idpass listen/);
  }, 120_000);

  it('marks every block it expects to run, and each marked block is one the tests below run', () => {
    expect(
      runnableBlocks()
        .map((b) => b.needs)
        .sort(),
    ).toEqual(Object.values(MARKERS).sort());
    // every shell and JavaScript example a user would copy is marked; only the Development list (npm scripts) is not
    const fenced = [...README.matchAll(/(<!-- runnable: .*? -->\n)?```(sh|js|yaml)\n/g)];
    expect(fenced.filter((m) => !m[1]).length).toBe(1);
  });

  it('the quick start: npx idpass listen serves offline (the tunnel says why it is unavailable) and shows the trigger from a second terminal', async () => {
    const start = runnable(MARKERS.quickStart);
    const [first] = start.code.split('\n');
    expect(first).toBe('npm install && npx idpass listen');
    const second = runnable(MARKERS.secondTerminal).code.trim();
    expect(second).toBe('npx idpass trigger verification.completed');
    // the clone has been installed (that is what runs this test), so the first command's own part is `npx idpass listen`;
    // the tunnel server is a closed port on loopback, as offline (tests never reach the internet)
    const closed = await freePort();
    const home = tempHome();
    const listen = spawn('bash', ['-c', first!.replace('npm install && ', '')], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...portEnv(), IDPASS_HOME: home, IDPASS_TUNNEL_HOST: `http://127.0.0.1:${closed}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    listen.stdout.on('data', (d) => (output += d));
    listen.stderr.on('data', (d) => (output += d));
    const closedNow = new Promise<number | null>((resolve) => listen.on('close', resolve));
    scope.defer(() => {
      try {
        process.kill(-listen.pid!, 'SIGKILL');
      } catch {
        // already stopped
      }
    });
    await portAnswers(PORTS.listen);
    const sent = await runShell(second, { cwd: ROOT });
    expect(sent).toMatchObject({ code: 0 });
    const deadline = Date.now() + 10_000;
    while (!/verification\.completed/.test(output) || !/tunnel unavailable/.test(output)) {
      if (Date.now() > deadline) throw new Error(`listen never showed the delivery and the tunnel state:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Ctrl-C, as a terminal sends it: to the whole foreground group (npx and the listen under it)
    process.kill(-listen.pid!, 'SIGINT');
    await closedNow;
    expect(output).toMatch(new RegExp(`local +http://127\\.0\\.0\\.1:${PORTS.listen}`));
    expect(output).toMatch(/tunnel unavailable: cannot reach the tunnel server/);
    expect(output).toMatch(/VERIFIED/);
    expect(output).toMatch(/stopped after 1 deliver/);
  }, 60_000);

  it('npm runs prepare again on the first npx idpass in a clone: it leaves an up-to-date dist/ untouched', async () => {
    // npm 11 installs the folder into its npx cache the first time, running `prepare`; a rebuild would
    // rewrite dist/ under every idpass process running at that moment (and cost ~5 s)
    const files = readdirSync(join(ROOT, 'dist'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    const before = files.map((f) => statSync(f).mtimeMs);
    const run = await runShell('npm run prepare', { cwd: ROOT });
    expect(run.code).toBe(0);
    expect(files.filter((f, i) => statSync(f).mtimeMs !== before[i])).toEqual([]);
  }, 60_000);

  it('the trigger examples, against an app on 127.0.0.1:3000 that verifies signatures', async () => {
    const block = runnable(MARKERS.triggerExamples).code;
    expect(block.split('\n').filter((l) => l.startsWith('npx') || l.includes(' npx ')).length).toBeGreaterThanOrEqual(7);
    // the keys an app might hold: the built-in test keys, and the "real" ones the example sets
    const keys = [...Object.values(BUILTIN_KEYS), 'test_pk_yourkey', 'live_pk_yourkey'];
    const seen: string[] = [];
    const app = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const signature = req.headers['x-prembly-signature'];
        const valid = keys.some((key) => createHmac('sha256', key).update(body).digest('base64') === signature);
        seen.push(`${req.url} ${valid ? 'valid' : 'invalid'}`);
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      app.once('error', reject);
      app.listen(PORTS.app, '127.0.0.1', resolve);
    });
    scope.defer(() => new Promise((resolve) => app.close(resolve)));
    const run = await runShell(block, { cwd: ROOT, timeoutMs: 100_000 });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    expect(seen.every((s) => s.startsWith('/webhooks/identitypass'))).toBe(true);
    expect(seen.filter((s) => s.endsWith('invalid'))).toHaveLength(1); // only the --tamper signature one
  }, 120_000);

  it('the GitHub Actions step: its run script, with its env from two secrets, in a project whose npm start is the middleware example', async () => {
    const { script, env } = actionsStep(runnable(MARKERS.actionsStep).code);
    const run = await runShell(script, { cwd: userProject(), env, timeoutMs: 60_000 });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    // both deliveries of the pending story reached the app and verified there; the forgery did not
    expect(run.output).toMatch(/verification\.pending PENDING/);
    expect(run.output).toMatch(/verification\.retry\.completed VERIFIED/);
    expect(run.output).toMatch(/tamper: signature\)\s+401/);
  }, 90_000);

  it('the events and verify examples, on a store holding a verification delivery, resending to the middleware example', async () => {
    const home = tempHome();
    // a store as `listen` leaves it: one verification delivery recorded
    const port = await freePort();
    const listen = spawn(process.execPath, [join(ROOT, 'bin', 'idpass.js'), 'listen', '--no-tunnel', '--port', String(port)], {
      env: { ...process.env, IDPASS_HOME: home, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const stopped = new Promise((resolve) => listen.on('close', resolve));
    await portAnswers(port);
    expect((await runCli(['trigger', 'verification.completed', '--to', `:${port}/webhook`])).code).toBe(0);
    listen.kill('SIGINT');
    await stopped;
    const app = await startMiddlewareApp(BUILTIN_KEYS);
    const before = new Set(readdirSync(ROOT));
    const run = await runShell(runnable(MARKERS.events).code, { cwd: ROOT, env: { IDPASS_HOME: home } });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    // nothing the example wrote is left in the repository
    expect(readdirSync(ROOT).filter((name) => !before.has(name))).toEqual([]);
    expect(run.output).toMatch(/verification\.completed/);
    expect(run.output).toMatch(/200/); // the resend, re-signed, was accepted by the middleware
    expect(run.output).toMatch(/valid/i);
    expect(app.output()).toMatch(/verification\.completed VERIFIED/);
  }, 60_000);

  it('the "in your tests" example, against the middleware example listening on 127.0.0.1:3000', async () => {
    const app = await startMiddlewareApp(BUILTIN_KEYS);
    const { code } = runnable(MARKERS.inTests);
    const run = spawn(process.execPath, ['--input-type=module', '-e', onOurPorts(code)], {
      cwd: ROOT,
      env: { ...process.env, ...BUILTIN_KEYS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr.on('data', (d) => (stderr += d));
    const exit = await new Promise<number | null>((resolve) => run.on('close', resolve));
    expect({ exit, stderr }).toEqual({ exit: 0, stderr: '' });
    expect(app.output()).toMatch(/verification\.completed VERIFIED/);
  }, 30_000);

  it('the CI mode example: listen waits for both deliveries, trigger waits for listen, exit 0', async () => {
    const block = runnable(MARKERS.listenCi).code;
    expect(block).toContain('--wait-for-listener');
    const home = tempHome();
    scope.defer(() => rmSync(join(ROOT, 'deliveries.ndjson'), { force: true }));
    const run = await runShell(block, { cwd: ROOT, env: { IDPASS_HOME: home }, timeoutMs: 80_000 });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    const lines = readFileSync(join(ROOT, 'deliveries.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: string });
    expect(lines.filter((l) => l.type === 'delivery').map((l) => l.event)).toEqual([
      'verification.pending',
      'verification.retry.completed',
    ]);
  }, 90_000);

  it("the library examples run as ES modules in the clone, where `from 'idpass'` resolves to this package", async () => {
    const blocks = [runnable(MARKERS.importLine), runnable(MARKERS.middleware)];
    expect(blocks).toHaveLength(2);
    for (const { code } of blocks) {
      const run = spawn(process.execPath, ['--input-type=module', '-e', onOurPorts(code)], {
        cwd: ROOT,
        env: { ...process.env, IDPASS_PUBLIC_KEY: 'test_pk_readme0example0key0abcd' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      run.stderr.on('data', (d) => (stderr += d));
      const exit = await new Promise<number | null>((resolve) => run.on('close', resolve));
      expect({ exit, stderr }).toEqual({ exit: 0, stderr: '' });
    }
  });

  it("every JavaScript example compiles as TypeScript under --strict, req.identitypass typed on express's own Request", async () => {
    const blocks = runnableBlocks().filter((b) => b.lang === 'js');
    expect(blocks.length).toBe(3);
    // inside the package, so `from 'idpass'` resolves to its own types (dist/index.d.ts), as in a user's app
    const dir = mkdtempSync(join(ROOT, '.readme-types-'));
    scope.defer(() => rmSync(dir, { recursive: true, force: true }));
    blocks.forEach((b, i) => writeFileSync(join(dir, `example-${i + 1}.ts`), `${b.code}\nexport {};\n`));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['*.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawn(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    run.stdout.on('data', (d) => (output += d));
    run.stderr.on('data', (d) => (output += d));
    const exit = await new Promise<number | null>((resolve) => run.on('close', resolve));
    expect({ exit, output }).toEqual({ exit: 0, output: '' });
  }, 60_000);

  it('the doctor examples, against the middleware example: ready, a repeated token answered 200 as Prembly needs', async () => {
    await startMiddlewareApp(BUILTIN_KEYS);
    const before = new Set(readdirSync(ROOT));
    const run = await runShell(runnable(MARKERS.doctor).code, { cwd: ROOT, env: BUILTIN_KEYS });
    expect(readdirSync(ROOT).filter((name) => !before.has(name))).toEqual([]);
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    expect(run.output).toMatch(/✔ genuine\.workflow\.process\.completed\s+200/);
    expect(run.output).toMatch(/✔ duplicates\.same-token/); // the middleware acknowledges a token it handled, without running the handler
    expect(run.output).toMatch(/ready for Prembly/);
    const lines = run.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { id?: string; summary?: { ok: boolean } });
    expect(lines.at(-1)?.summary?.ok).toBe(true);
    expect(lines.slice(0, -1).every((l) => /^(genuine|forgery)\./.test(l.id ?? ''))).toBe(true);
  }, 60_000);

  it('the doctor CI step: npm start, doctor waits for the app, a JUnit report', async () => {
    const { script, env } = actionsStep(runnable(MARKERS.doctorStep).code);
    const dir = userProject();
    const run = await runShell(script, { cwd: dir, env, timeoutMs: 60_000 });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    const xml = readFileSync(join(dir, 'doctor-report.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="idpass doctor" tests="\d+" failures="0"/);
  }, 60_000);

  it('the sandbox CI step: the app gets PENDING from the sandbox, then VERIFIED by its webhook', async () => {
    const { script, env } = actionsStep(runnable(MARKERS.sandboxStep).code);
    const run = await runShell(script, {
      cwd: userProject(KYC_APP),
      env: { ...env, PREMBLY_API_KEY: 'test_sk_sandbox_anything' },
      timeoutMs: 80_000,
    });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
  }, 90_000);
});

/** A user's KYC app as the sandbox step assumes one: it verifies BVNs through Prembly and learns results by webhook. */
const KYC_APP = `
import express from 'express';
import { identitypassWebhook } from 'idpass';

const base = process.env.PREMBLY_BASE_URL ?? 'https://api.prembly.com';
const checks = new Map();
const app = express();
app.post('/webhooks/identitypass', identitypassWebhook(), (req, res) => {
  const { reference, identityStatus } = req.identitypass.classification;
  if (checks.has(reference)) checks.set(reference, identityStatus);
  res.sendStatus(200);
});
app.post('/kyc/bvn', express.json(), async (req, res) => {
  const reply = await fetch(base + '/identitypass/verification/bvn_validation', {
    method: 'POST',
    headers: { 'x-api-key': process.env.PREMBLY_API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ number: req.body.bvn }),
  });
  const answer = await reply.json();
  checks.set(answer.verification.reference, answer.verification.status);
  res.json({ reference: answer.verification.reference, status: answer.verification.status });
});
app.get('/kyc/:reference', (req, res) => res.json({ reference: req.params.reference, status: checks.get(req.params.reference) ?? null }));
app.listen(3000, '127.0.0.1');
`;

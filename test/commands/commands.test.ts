import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../helpers/cli.js';
import { freePort } from '../helpers/receiver.js';
import { runCommand } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';
import { ALL_KINDS } from '../helpers/prembly-doc.js';

/** Commands run in process against real loopback servers, their output captured by the fake IO. */

const KEY = 'test_pk_commands0test0key0wxyz';
const scope = testScope();

describe('commands in process', () => {
  it('--version prints the package version; no arguments prints help and exits 2', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCommand(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const bare = await runCommand([]);
    expect(bare.code).toBe(2);
    for (const name of ['listen', 'trigger', 'events', 'verify']) expect(bare.stdout).toContain(name);
  });

  it('trigger --list prints the event names, --long adds what each is, --json one object each', async () => {
    const text = await runCommand(['trigger', '--list']);
    expect(text.code).toBe(0);
    const names = text.stdout.trim().split('\n');
    expect([...names].sort()).toEqual([...ALL_KINDS].sort());
    expect(names).toContain('verification.retry.completed');
    expect(names.every((n) => /^[a-z0-9_.]+$/.test(n))).toBe(true);
    const long = await runCommand(['trigger', '--list', '--long']);
    expect(long.stdout).toMatch(/^verification\.failed\s+NOT-VERIFIED .*not sent by Prembly/m);
    const json = jsonLines((await runCommand(['trigger', '--list', '--json'])).stdout);
    expect(json.map((l) => l.event)).toContain('workflow.process.manual_review');
    expect(json.find((l) => l.event === 'workflow.process.failed')).toMatchObject({
      signedWith: 'live',
      delivered: '2xx',
      followsRedirects: false,
    });
  });

  it('trigger sends a signed delivery and reports it on the fake stdout; talk goes to stderr', async () => {
    const app = await scope.receiver();
    const res = await runCommand(['trigger', 'verification.completed', '--to', app.url, '--scheme', 'prembly-hmac', '--public-key', KEY]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^✔ verification\.completed \(sandbox key\) {2}200 {2}ref /);
    expect(res.stderr).toContain(`Sending verification.completed to ${app.url}`);
    const got = app.received[0]!;
    expect(got.headers['x-prembly-signature']).toBe(createHmac('sha256', KEY).update(got.body).digest('base64'));
  });

  it('trigger exits 1 with a hint when the receiver answers 201, and 3 when nothing listens', async () => {
    const app = await scope.receiver(() => ({ status: 201 }));
    const res = await runCommand(['trigger', 'verification.completed', '--to', app.url, '--json']);
    expect(res.code).toBe(1);
    expect(jsonLines(res.stdout)[0]).toMatchObject({ status: 201, ok: false, hint: expect.stringMatching(/anything but 200/) });
    const nobody = await runCommand(['trigger', 'verification.completed', '--to', `http://127.0.0.1:${await freePort()}/webhook`]);
    expect(nobody.code).toBe(3);
    expect(nobody.stdout).toContain('connection refused');
  });

  it('colours only when told: FORCE_COLOR on a pipe, never with NO_COLOR', async () => {
    const app = await scope.receiver();
    const plain = await runCommand(['trigger', 'verification.completed', '--to', app.url]);
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    const forced = await runCommand(['trigger', 'verification.completed', '--to', app.url], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[/);
  });

  it('verify reads the body from stdin and explains a valid signature', async () => {
    const body = JSON.stringify({ status: true, response_code: '00', verification: { status: 'VERIFIED', reference: 'v-1' } });
    const hmac = createHmac('sha256', KEY).update(body).digest('base64');
    const res = await runCommand(
      ['verify', '--body', '-', '--header', `x-prembly-signature: ${hmac}`, '--header', 'token: t', '--public-key', KEY],
      {
        input: body,
      },
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('✔ valid (prembly-hmac, sandbox key)');
    expect(res.stdout).toContain('VERIFIED  response_code 00 (success)');
  });

  it('takes product names in any case', async () => {
    const app = await scope.receiver();
    expect((await runCommand(['trigger', 'verification.completed', '--product', 'NIN', '--to', app.url])).code).toBe(0);
    expect(JSON.parse(app.received[0]!.body.toString()).endpoint_name).toBe('NIN Level 2');
  });

  it('Ctrl-C at the events clear prompt is a quiet no: exit 130, nothing deleted', async () => {
    const home = mkdtempSync(join(tmpdir(), 'idpass-clear-'));
    writeFileSync(join(home, 'deliveries.ndjson'), '');
    const res = await runCommand(['events', 'clear'], {
      env: { IDPASS_HOME: home },
      stdinTTY: true,
      whileRunning: (io) => setTimeout(() => io.interrupt(), 50),
    });
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/interrupted: nothing was deleted/);
    expect(res.stderr).not.toMatch(/unexpected failure/);
    expect(existsSync(join(home, 'deliveries.ndjson'))).toBe(true);
  });

  it('events resend that gets 409 suggests --resign', async () => {
    const { hintFor } = await import('../../src/output/render/send-report.js');
    const { diagnose } = await import('../../src/core/trigger/send.js');
    const base = {
      event: 'e',
      role: 'resend' as const,
      tamper: null,
      reference: null,
      token: 't',
      url: 'u',
      status: 409,
      ok: false,
      ms: 1,
      expected: '200',
    };
    const extra = {
      reply: null,
      error: null,
      warning: null,
      key: null,
      note: null,
      shown: null,
      redirects: [],
    };
    const problem = diagnose({ ...base, ...extra }, 10_000);
    expect(problem).toEqual({ code: 'token-seen' });
    expect(hintFor({ ...base, ...extra, problem })).toMatch(/add --resign/);
  });

  it('trigger --print-key prints the built-in test keys for an app, never a key of your own', async () => {
    const builtIn = await runCommand(['trigger', '--print-key']);
    expect(builtIn.stdout).toMatch(/^IDPASS_PUBLIC_KEY=test_pk_\S+\nIDPASS_LIVE_PUBLIC_KEY=live_pk_\S+\n$/);
    const own = await runCommand(['trigger', '--print-key', '--public-key', 'test_pk_my0own0secret0ish0key']);
    expect(own.stdout).not.toContain('test_pk_my0own0secret0ish0key');
    expect(own.stdout).toMatch(/# IDPASS_PUBLIC_KEY is your own key \(test_pk_…/);
  });

  it('each command describes the shared flags in its own terms', async () => {
    const listen = await runCommand(['listen', '--help']);
    expect(listen.stdout).toMatch(/--scheme <name>\s+the scheme you expect/);
    expect(listen.stdout.replace(/\s+/g, ' ')).toMatch(/alone: listen this long, then stop/);
    const trigger = await runCommand(['trigger', '--help']);
    expect(trigger.stdout).toMatch(/--scheme <name>\s+the scheme to sign with/);
  });

  it('an invalid value is named once, by commander, and the parser says only what is wrong', async () => {
    const res = await runCommand(['trigger', 'verification.completed', '--pending-first', '--delay', '2']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/argument '2' is invalid\. not a duration \(add a unit: 2s or 2ms\)/);
    expect(res.stderr).not.toMatch(/"2"/);
  });

  it('Ctrl-C while waiting for the final delivery says it was not sent, exit 130', async () => {
    const app = await scope.receiver();
    const res = await runCommand(['trigger', 'verification.completed', '--pending-first', '--delay', '5s', '--to', app.url], {
      whileRunning: (io) => setTimeout(() => io.interrupt(), 400),
    });
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/interrupted: not sent: verification\.retry\.completed \(final\)/);
    expect(app.received).toHaveLength(1);
  });

  it('listen bound to 0.0.0.0 tells you to send to loopback, with the key flag when your key came as a flag', async () => {
    const home = mkdtempSync(join(tmpdir(), 'idpass-host-'));
    const res = await runCommand(
      ['listen', '--host', '0.0.0.0', '--port', '0', '--no-tunnel', '--timeout', '200ms', '--public-key', 'test_pk_flag0given0key0abcd'],
      {
        env: { IDPASS_HOME: home },
      },
    );
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/warning: bound to 0\.0\.0\.0/);
    expect(res.stderr).toMatch(
      /Send a test delivery: npx idpass trigger verification\.completed --to http:\/\/127\.0\.0\.1:\d+\/webhook --public-key <your key>/,
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/run-command.js';
import { runCli } from '../helpers/cli.js';

/** Bad input exits 2 and says what to fix: parsing and run, in process, with a fake IO. */

const home = () => mkdtempSync(join(tmpdir(), 'idpass-usage-'));

function expectUsage(res: { code: number; stderr: string; stdout: string }, message: RegExp) {
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(message);
  expect(res.stderr).not.toMatch(/\n\s+at /);
  expect(res.stdout).toBe('');
}

describe('trigger: bad input', () => {
  it.each([
    [['verification.complete'], /did you mean verification\.completed/],
    [[], /which event\?/],
    [['verification.completed', '--set', 'novalue'], /path=value/],
    [['verification.completed', '--set', 'status.deep=1'], /not an object/],
    [['verification.completed', '--unset', 'nothing.here'], /--unset nothing\.here: the body has no such field/],
    [['verification.completed', '--data', '/nonexistent/body.json'], /cannot read --data \/nonexistent\/body\.json: no such file/],
    [['verification.completed', '--to', '3000'], /needs a URL, not a port: did you mean http:\/\/127\.0\.0\.1:3000\/webhook/],
    [['verification.completed', '--delay', '1s'], /--delay is the wait between the two deliveries of --pending-first/],
    [['verification.completed', '--to', 'ftp://example.com'], /http:\/\/ or https:\/\//],
    [['verification.completed', '--pending-first', '--delay', '2'], /add a unit/],
    [['verification.completed', '--timeout', 'soon'], /not a duration/],
    [['verification.completed', '--expect-status', 'ok'], /not a status/],
    [['verification.completed', '--scheme', 'md5'], /Allowed choices are identitypass, prembly-legacy, prembly-hmac/],
    [['verification.completed', '--product', 'selfie'], /argument 'selfie' is invalid\. not a product: use one of bvn, nin/],
    [['verification.completed', '--tamper', 'everything'], /Allowed choices/],
    [['verification.completed', '--tamper', 'body', '--scheme', 'identitypass'], /--tamper body needs --scheme prembly-hmac/],
    [['verification.completed', '--pending-via', 'api'], /add --pending-first/],
    [['verification.completed', '--pending-first', '--pending-to', 'http://127.0.0.1:9/'], /--pending-via api/],
    [['workflow.process.failed', '--shape', 'legacy'], /--shape legacy: workflow\.process\.failed has no legacy shape/],
    [['verification.completed', '--key', 'both'], /Allowed choices are sandbox, live/],
    [['verification.completed', '--live-public-key', ' '], /--live-public-key is empty/],
    [['verification.completed', '--tamper', 'replay', '--pending-first'], /--pending-first and --tamper do not go together/],
    [['sdk.session.completed', '--product', 'nin'], /--product shapes direct-API verification bodies only/],
    [['workflow.process.completed', '--pending-first'], /use it with verification\.completed or verification\.failed/],
    [['verification.completed', '--public-key', ' '], /--public-key is empty/],
    [['verification.completed', '--bogus'], /unknown option '--bogus'/],
  ])('%j', async (args, message) => {
    expectUsage(await runCommand(['trigger', ...args]), message);
  });

  it('refuses invalid JSON and non-objects in --data, from a file or stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-data-'));
    writeFileSync(join(dir, 'bad.json'), '{"status": tru');
    expectUsage(await runCommand(['trigger', 'verification.completed', '--data', join(dir, 'bad.json')]), /--data is not valid JSON/);
    expectUsage(
      await runCommand(['trigger', 'verification.completed', '--data', '-'], { input: '[1,2]' }),
      /--data must hold a JSON object/,
    );
  });

  it('an unknown command exits 2 with the usage hint', async () => {
    expectUsage(await runCommand(['tigger']), /unknown command 'tigger'/);
  });
});

describe('listen: bad input', () => {
  it.each([
    [['--forward-to', '3000'], /not a port: did you mean http:\/\/127\.0\.0\.1:3000/],
    [['--max-body', '10'], /add a unit: 10mb, 10kb or 10b/],
    [['--tunnel-host', 'localtunnel.me'], /did you mean https:\/\/localtunnel\.me/],
    [['--port', 'abc'], /not a port/],
    [['--port', '70000'], /not a port/],
    [['--events', 'verification.complete'], /--events: "verification\.complete" matches no event; did you mean verification\.completed/],
    [['--wait-for', ' , '], /needs at least one event name/],
    [['--forward-timeout', '10'], /add a unit/],
    [['--max-body', 'huge'], /not a size/],
    [['--count', '0'], /not a count/],
    [['--subdomain', 'No_Way'], /not a subdomain/],
    [['--public-key', ''], /--public-key is empty/],
    [['--host', '203.0.113.77', '--no-tunnel'], /no such local address/],
  ])('%j', async (args, message) => {
    const res = await runCommand(['listen', '--port', '0', ...args], { env: { IDPASS_HOME: home() } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});

describe('events: bad input', () => {
  it.each([
    [['events', 'show'], /missing required argument 'id'/],
    [['events', 'list', '--limit', '0'], /not a count/],
    [['events', 'list', '--event', 'verification.complete'], /did you mean verification\.completed/],
    [['events', 'resend', 'x', '--to', 'nowhere'], /not a URL/],
  ])('%j exits 2 with the usage hint', async (args, message) => {
    const res = await runCommand(args, { env: { IDPASS_HOME: home() } });
    expectUsage(res, message);
    expect(res.stderr).toContain('--help shows the usage');
  });

  it('an empty store says so and points at listen', async () => {
    const env = { IDPASS_HOME: home() };
    const show = await runCommand(['events', 'show', 'abc'], { env });
    expectUsage(show, /no deliveries are recorded yet/);
    expect(show.stderr).toContain('run idpass listen');
    const list = await runCommand(['events', 'list', '--json'], { env });
    expect(list).toMatchObject({ code: 0, stdout: '' });
  });

  it('clear refuses without --yes off a terminal', async () => {
    const dir = home();
    writeFileSync(join(dir, 'deliveries.ndjson'), '');
    expectUsage(
      await runCommand(['events', 'clear'], { env: { IDPASS_HOME: dir } }),
      /refusing to delete 0 recorded deliveries without --yes/,
    );
  });
});

describe('verify: bad input', () => {
  it.each([
    [['verify', '--body', '/nonexistent/body.json', '--header', 'token: a'], /cannot read --body \/nonexistent\/body\.json: no such file/],
    [['verify', '--body', 'x', '--header', 'no colon here'], /has no "name: value" form/],
    [['verify', '--header', 'token: a'], /--body is missing/],
    [['verify', '--body', 'x'], /no --header given/],
  ])('%j', async (args, message) => {
    expectUsage(await runCommand(args), message);
  });
});

describe('messages say exactly what happened', () => {
  it('--help states the real --scheme default when verifying (any), and behaves so: a legacy delivery verifies without a note', async () => {
    for (const command of ['listen', 'verify']) {
      const help = await runCommand([command, '--help']);
      expect(help.stdout.replace(/\s+/g, ' '), command).toMatch(/--scheme <name> .*default: any, env: IDPASS_SCHEME/);
    }
    const trigger = await runCommand(['trigger', '--help']);
    expect(trigger.stdout.replace(/\s+/g, ' ')).toMatch(/default: "prembly-hmac", env: IDPASS_SCHEME/);
    const dir = home();
    const body = join(dir, 'body.json');
    writeFileSync(body, '{"a":1}');
    const legacy = Buffer.from('test_pk_idpass0sandbox0key0not0for0production').toString('base64');
    const any = await runCommand(['verify', '--body', body, '-H', `x-identitypass-signature: ${legacy}`, '-H', 'token: t']);
    expect(any.code).toBe(0);
    expect(any.stdout).not.toMatch(/not the configured/);
    const expecting = await runCommand([
      'verify',
      '--body',
      body,
      '-H',
      `x-identitypass-signature: ${legacy}`,
      '-H',
      'token: t',
      '--scheme',
      'prembly-hmac',
    ]);
    expect(expecting.stdout).toMatch(/signed with identitypass, not the configured prembly-hmac/);
  });

  it('an empty IDPASS_PUBLIC_KEY (a missing CI secret) is named as the variable; a product given as an event says --product', async () => {
    // the built CLI, so the variable reaches commander as a CI runner sets it
    const empty = await runCli(['trigger', 'verification.completed'], { env: { IDPASS_PUBLIC_KEY: '' } });
    expectUsage({ ...empty, code: empty.code ?? -1 }, /IDPASS_PUBLIC_KEY is set but empty/);
    expect(empty.stderr).not.toMatch(/--public-key is empty/);
    const flag = await runCommand(['trigger', 'verification.completed', '--public-key', ' ']);
    expectUsage(flag, /--public-key is empty/);
    const product = await runCommand(['trigger', 'bvn']);
    expectUsage(product, /"bvn" is a product, not an event[\s\S]*idpass trigger verification\.completed --product bvn/);
  });
});

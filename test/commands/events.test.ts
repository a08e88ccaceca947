import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { freePort, postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

const KEY = 'test_pk_events0e2e0key0wxyz';
const hmac = (body: string | Buffer, key = KEY) => createHmac('sha256', key).update(body).digest('base64');

const scope = testScope();

/** Records real deliveries through a real listener forwarding to a real app, then stops it. */
async function recorded(count = 3) {
  const app = await scope.receiver();
  const l = await scope.listen(['--public-key', KEY, '--forward-to', app.url]);
  for (let i = 0; i < count; i++) {
    const event = i === 1 ? 'verification.failed' : 'verification.completed';
    const res = await runInProcess(['trigger', event, '--to', `${l.url}/webhook`, '--scheme', 'prembly-hmac', '--public-key', KEY]);
    expect(res.code).toBe(0);
  }
  await l.waitForDeliveries(count);
  expect(await l.stop()).toBe(0);
  const env = { IDPASS_HOME: l.home };
  const list = jsonLines((await runInProcess(['events', 'list', '--json'], { env })).stdout);
  return { app, home: l.home, env, list };
}

describe('idpass events (built binary, a store written by a real listener)', () => {
  it('lists newest first, with --limit and --event', async () => {
    const { env, list } = await recorded(3);
    expect(list.map((l) => l.event)).toEqual(['verification.completed', 'verification.failed', 'verification.completed']);
    expect(list[0]).toMatchObject({ identityStatus: 'VERIFIED', signature: { valid: true, scheme: 'prembly-hmac' }, forwardStatus: 200 });
    expect(String(list[0]!.receivedAt) >= String(list[2]!.receivedAt)).toBe(true);
    expect(jsonLines((await runInProcess(['events', 'list', '--json', '--limit', '1'], { env })).stdout)).toHaveLength(1);
    const failed = jsonLines((await runInProcess(['events', 'list', '--json', '--event', 'verification.failed'], { env })).stdout);
    expect(failed.map((l) => l.event)).toEqual(['verification.failed']);
    const text = await runInProcess(['events', 'list'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/verification\.failed\s+NOT-VERIFIED\s+valid prembly-hmac\s+200/);
  }, 30_000);

  it('shows one delivery explained as listen does, redacted unless --show-pii, by unique prefix', async () => {
    const { env, list } = await recorded(1);
    const id = String(list[0]!.id);
    const shown = await runInProcess(['events', 'show', id.slice(0, -2)], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`verification.completed  ·  ${id}`);
    expect(shown.stdout).toContain('✔ valid (prembly-hmac, sandbox key): HMAC-SHA256 of the body matches the sandbox public key');
    expect(shown.stdout).toContain('VERIFIED  response_code 00 (success)');
    expect(shown.stdout).toContain('"phoneNumber": "•••••••••01"');
    expect(shown.stdout).not.toContain('08000000001');
    expect(shown.stdout).toMatch(/App reply\n\s+200 in [\d.]+ms from http:\/\/127\.0\.0\.1/);
    const plain = jsonLines((await runInProcess(['events', 'show', id, '--json'], { env })).stdout)[0]!;
    const sig = (plain.headers as [string, string][]).find(([n]) => n.toLowerCase() === 'x-prembly-signature')![1];
    expect(sig).toMatch(/^.{8}… \(44 characters\)$/);
    expect(plain.rawBody).toBeUndefined();
    const pii = await runInProcess(['events', 'show', id, '--show-pii', '--json'], { env });
    const json = jsonLines(pii.stdout)[0]!;
    expect((json.body as { data: { phoneNumber: string } }).data.phoneNumber).toBe('08000000001');
    expect(Buffer.from(String(json.rawBody), 'base64').toString()).toContain('"phoneNumber":"08000000001"');
  }, 30_000);

  it('resends the original bytes and headers to where listen forwarded it, or re-signed with --resign', async () => {
    const { app, env, list } = await recorded(1);
    const id = String(list[0]!.id);
    const original = app.received[0]!;
    const again = await runInProcess(['events', 'resend', id, '--json'], { env });
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 200, ok: true, role: 'resend' });
    const resent = app.received[1]!;
    expect(resent.body.equals(original.body)).toBe(true);
    expect(resent.headers['x-prembly-signature']).toBe(original.headers['x-prembly-signature']);
    expect(resent.headers.token).toBe(original.headers.token);

    const other = await scope.receiver();
    const newKey = 'test_pk_rotated0key0abcdefg';
    const resigned = await runInProcess(
      ['events', 'resend', id, '--resign', '--scheme', 'prembly-hmac', '--public-key', newKey, '--to', other.url],
      { env },
    );
    expect(resigned.code).toBe(0);
    const got = other.received[0]!;
    expect(got.body.equals(original.body)).toBe(true);
    expect(got.headers['x-prembly-signature']).toBe(hmac(got.body, newKey));
    expect(got.headers.token).not.toBe(original.headers.token);
    expect(got.headers['content-type']).toBe('application/json');
  }, 30_000);

  it('resend: exit 3 when the target is unreachable, 1 on an unexpected status', async () => {
    const { env, list } = await recorded(1);
    const id = String(list[0]!.id);
    const down = await runInProcess(['events', 'resend', id, '--to', `http://127.0.0.1:${await freePort()}/x`], { env });
    expect(down.code).toBe(3);
    expect(down.stdout).toContain('connection refused');
    const failing = await scope.receiver(() => ({ status: 500, body: 'boom' }));
    const bad = await runInProcess(['events', 'resend', id, '--to', failing.url], { env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('reply: boom');
  }, 30_000);

  it('clear refuses without --yes off a terminal, and deletes with it', async () => {
    const { env, home } = await recorded(1);
    const refused = await runInProcess(['events', 'clear'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to delete 1 recorded deliveries without --yes/);
    expect(existsSync(join(home, 'deliveries.ndjson'))).toBe(true);
    const cleared = await runInProcess(['events', 'clear', '--yes'], { env });
    expect(cleared.code).toBe(0);
    expect(existsSync(join(home, 'deliveries.ndjson'))).toBe(false);
    const empty = await runInProcess(['events', 'list'], { env });
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('no deliveries recorded yet');
  }, 30_000);

  describe('bad input', () => {
    it('an unknown id exits 2 and points at events list', async () => {
      const { env } = await recorded(1);
      const res = await runInProcess(['events', 'show', 'nope'], { env });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('no recorded delivery has the id nope');
      expect(res.stderr).toContain('idpass events list');
    }, 30_000);

    it('a prefix matching two deliveries exits 2 and names both', async () => {
      const { env, list } = await recorded(2);
      const [a, b] = list.map((l) => String(l.id));
      let common = 0;
      while (a![common] === b![common]) common++;
      const res = await runInProcess(['events', 'show', a!.slice(0, common)], { env });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(a);
      expect(res.stderr).toContain(b);
    }, 30_000);

    it('a corrupt line is skipped with a warning', async () => {
      const home = tempHome();
      const good = {
        kind: 'delivery',
        v: 1,
        id: 'k1',
        receivedAt: '2026-01-01T00:00:00.000Z',
        method: 'POST',
        path: '/',
        headers: [],
        body: '',
        size: 0,
        event: 'verification.completed',
      };
      writeFileSync(join(home, 'deliveries.ndjson'), `{"kind":"deliv\n${JSON.stringify(good)}\n`);
      const res = await runInProcess(['events', 'list', '--json'], { env: { IDPASS_HOME: home } });
      expect(res.code).toBe(0);
      expect(jsonLines(res.stdout).map((l) => l.id)).toEqual(['k1']);
      expect(res.stderr).toContain('skipped 1 unreadable line');
    });

    it('resend without a target for a delivery never forwarded exits 2 asking for --to', async () => {
      const l = await scope.listen(['--public-key', KEY]);
      const body = JSON.stringify({ verification: { status: 'VERIFIED' } });
      await postRaw(l.url, body, { 'x-prembly-signature': hmac(body), token: 't' });
      const [d] = await l.waitForDeliveries(1);
      const res = await runInProcess(['events', 'resend', String(d!.id)], { env: { IDPASS_HOME: l.home } });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('pass --to <url>');
    });
  });
});

describe('idpass verify (built binary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idpass-verify-'));
  const body = JSON.stringify({ status: false, response_code: '01', verification: { status: 'NOT-VERIFIED', reference: 'v-1' } });
  const file = join(dir, 'body.json');
  writeFileSync(file, body);

  it('exits 0 for a valid signature and explains the result', async () => {
    const res = await runInProcess([
      'verify',
      '--body',
      file,
      '--header',
      `x-prembly-signature: ${hmac(body)}`,
      '--header',
      'token: abc',
      '--public-key',
      KEY,
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('✔ valid (prembly-hmac, sandbox key)');
    expect(res.stdout).toContain('NOT-VERIFIED  response_code 01 (record not found)');
  });

  it('exits 1 for a wrong signature, a changed body, or a missing signature header', async () => {
    const wrong = await runInProcess([
      'verify',
      '--body',
      file,
      '-H',
      `X-Prembly-Signature: ${hmac(body, 'test_pk_other0key0aaaa')}`,
      '--public-key',
      KEY,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('✘ invalid (prembly-hmac)');
    const unsigned = await runInProcess(['verify', '--body', file, '--header', 'token: abc', '--public-key', KEY, '--json']);
    expect(unsigned.code).toBe(1);
    expect(jsonLines(unsigned.stdout)[0]).toMatchObject({ valid: false, signature: { reason: 'missing-signature' } });
  });

  it('reads the body from stdin with --body -', async () => {
    const res = await runInProcess(['verify', '--body', '-', '--header', `x-prembly-signature: ${hmac(body)}`, '--public-key', KEY], {
      input: body,
    });
    expect(res.code).toBe(0);
  });

  it.each([
    [['verify', '--body', '/nonexistent/body.json', '--header', 'token: a'], /cannot read --body \/nonexistent\/body\.json: no such file/],
  ])('bad input %j exits 2 (the rest run in process: test/commands)', async (args, message) => {
    const res = await runInProcess(args as string[]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY } from '../../src/core/signing/schemes.js';
import { runInProcess } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';
import { postRaw } from '../helpers/receiver.js';

/**
 * Hints from evidence: receivers that behave like real ones (raw-bytes HMAC with one key, a
 * handler that crashes) and what trigger and doctor say about each.
 */
const scope = testScope();

/** A receiver that verifies the raw bytes with these keys only, as many real ones hold just the sandbox key. */
async function oneKeyReceiver(keys: string[], crashAfter = Infinity) {
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (++count > crashAfter) {
        // a crash: the process goes away mid-request
        req.socket.destroy();
        server.close();
        return;
      }
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['x-prembly-signature'] ?? ''));
      const ok = keys.some((key) => {
        const want = Buffer.from(createHmac('sha256', key).update(body).digest('base64'));
        return want.length === given.length && timingSafeEqual(want, given);
      });
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ok":true}' : '{"error":"bad signature"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/identitypass`;
}

describe('hints say what the evidence shows', () => {
  it('trigger --pending-first to a receiver holding only the sandbox key: the refused retry result was signed with the live key', async () => {
    const url = await oneKeyReceiver([BUILTIN_TEST_KEY]);
    const run = await runInProcess(['trigger', 'verification.completed', '--pending-first', '--delay', '0s', '--to', url], {
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/signed with idpass's built-in live key, as Prembly signs verification\.retry\.completed/);
    expect(run.stdout).toMatch(
      /must accept the live key as well as the sandbox one; a receiver holding your own keys needs IDPASS_LIVE_PUBLIC_KEY/,
    );
    expect(run.stdout).not.toMatch(/same --public-key and --scheme/);
  });

  it('the built-in key against a receiver holding the user’s own: the hint names IDPASS_PUBLIC_KEY; the user’s key refused: it asks about the raw bytes', async () => {
    const mine = 'test_pk_my0own0sandbox0key0xyz';
    const url = await oneKeyReceiver([mine, BUILTIN_LIVE_TEST_KEY]);
    const builtin = await runInProcess(['trigger', 'verification.completed', '--to', url], { timeoutMs: 30_000 });
    expect(builtin.stdout).toMatch(
      /signed with idpass's built-in sandbox key: a receiver holding your own key refuses it; set IDPASS_PUBLIC_KEY=<your test_pk_…>/,
    );
    const json = await runInProcess(['trigger', 'verification.completed', '--to', url, '--json'], { timeoutMs: 30_000 });
    expect(JSON.parse(json.stdout.trim().split('\n')[0]!).hint).toMatch(/built-in sandbox key/);
    const other = await oneKeyReceiver(['test_pk_a0different0key0000']);
    const yours = await runInProcess(['trigger', 'verification.completed', '--to', other, '--public-key', mine], { timeoutMs: 30_000 });
    expect(yours.stdout).toMatch(/signed with your sandbox key: does the receiver verify the raw body bytes with that key/);
  });

  it('doctor against a handler that crashes mid-run: named a crash, and --wait-for-listener is not suggested when given', async () => {
    const url = await oneKeyReceiver([BUILTIN_TEST_KEY, BUILTIN_LIVE_TEST_KEY], 3);
    const run = await runInProcess(['doctor', url, '--wait-for-listener', '5s'], { timeoutMs: 60_000 });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/it crashed or was stopped/);
    expect(run.stderr).toMatch(/look in your app’s logs for the crash/);
    expect(run.stderr).not.toMatch(/add --wait-for-listener/);
  }, 60_000);

  it('listen: a forged or legacy-scheme delivery the app refused is ✔ refused, never an app failure; its claimed result is unverified', async () => {
    const app = await oneKeyReceiver([BUILTIN_TEST_KEY, BUILTIN_LIVE_TEST_KEY]);
    const l = await scope.listen(['--forward-to', app]);
    const body = JSON.stringify({ status: true, response_code: '00', verification: { status: 'VERIFIED', reference: 'forged-1' } });
    const forged = createHmac('sha256', 'test_pk_attacker0key0000000').update(body).digest('base64');
    const legacy = Buffer.from(BUILTIN_TEST_KEY).toString('base64');
    await postRaw(`${l.url}/webhooks/identitypass`, body, {
      'content-type': 'application/json',
      'x-prembly-signature': forged,
      token: 't1',
    });
    await postRaw(`${l.url}/webhooks/identitypass`, body, {
      'content-type': 'application/json',
      'x-identitypass-signature': legacy,
      token: 't2',
    });
    const [one, two] = await l.waitForDeliveries(2);
    for (const d of [one, two] as Record<string, any>[]) {
      expect(d.forward.status).toBe(401);
      expect(d.forward.verdict).toBe('refused-rightly');
      expect(d.forward.warning).toBeNull();
    }
    await l.stop();
    // the plain lines and the details say so
    const lines = await runInProcess(['events', 'show', String(one!.id)], { env: { IDPASS_HOME: l.home } });
    expect(lines.stdout).toMatch(/claims VERIFIED\s+response_code 00 .*\(unverified: the signature failed/);
    expect(lines.stdout).toMatch(/✔ refused: the signature failed, and the app refused it, as it must/);
    expect(lines.stdout).not.toMatch(/counts this delivery as failed/);
  });

  it('doctor with the built-in keys against a handler holding the user’s own: the card says so and names IDPASS_PUBLIC_KEY', async () => {
    const url = await oneKeyReceiver(['test_pk_my0own0sandbox0key0xyz', 'live_pk_my0own0live0key0xyz']);
    const run = await runInProcess(
      ['doctor', url, '--only', 'genuine.verification.completed,genuine.workflow.process.completed', '--json'],
      { timeoutMs: 60_000 },
    );
    const checks = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id?: string; fix?: string });
    expect(checks.find((c) => c.id === 'genuine.verification.completed')?.fix).toMatch(
      /signed with idpass's built-in sandbox key, as Prembly signs verification\.completed: a handler holding your own key refuses it; run doctor with IDPASS_PUBLIC_KEY=<your test_pk_…>/,
    );
    expect(checks.find((c) => c.id === 'genuine.workflow.process.completed')?.fix).toMatch(
      /built-in live key.*IDPASS_LIVE_PUBLIC_KEY=<your live_pk_…>/,
    );
  }, 60_000);

  it('listen: a genuine live-signed delivery the app refused says the app must accept the live key', async () => {
    const app = await oneKeyReceiver([BUILTIN_TEST_KEY]);
    const l = await scope.listen(['--forward-to', app]);
    const body = JSON.stringify({
      status: true,
      response_code: '00',
      verification: { status: 'VERIFIED', reference: 'live-1' },
      is_callback_retry: true,
    });
    const signature = createHmac('sha256', BUILTIN_LIVE_TEST_KEY).update(body).digest('base64');
    await postRaw(`${l.url}/webhooks/identitypass`, body, {
      'content-type': 'application/json',
      'x-prembly-signature': signature,
      token: 'l1',
    });
    const [d] = (await l.waitForDeliveries(1)) as Record<string, any>[];
    expect(d!.forward.verdict).toBe('failed-status');
    expect(d!.forward.warning).toMatch(
      /counts this delivery as failed: it was correctly signed with the live key .*so the app must accept that key/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import { readStoreLines } from '../helpers/store.js';

/** Security by default, as a user meets it (built binary). */
const scope = testScope();

describe('nothing unsafe shown or stored', () => {
  it('masks credentials in a forward URL in every output and in the store', async () => {
    const app = await scope.receiver();
    const withCreds = app.url.replace('http://', 'http://hook-user:s3cret-pass@');
    const l = await scope.listen(['--forward-to', withCreds]);
    const body = '{"verification":{"status":"VERIFIED"}}';
    expect((await postRaw(l.url, body, { 'content-type': 'application/json', token: 'c1' })).status).toBe(200);
    await l.waitForDeliveries(1);
    expect(app.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:s3cret-pass').toString('base64')}`);
    const everything = l.stdout() + l.stderr() + JSON.stringify(readStoreLines(l.home));
    expect(everything).not.toContain('s3cret-pass');
    expect(everything).toContain('***:***@127.0.0.1');
    const trigger = await runInProcess(['trigger', 'verification.completed', '--to', withCreds]);
    expect(trigger.code).toBe(0);
    expect(trigger.stdout + trigger.stderr).not.toContain('s3cret-pass');
  });

  it('refuses an empty --host instead of binding every interface', async () => {
    const res = await runInProcess(['listen', '--host', '', '--port', '0', '--no-tunnel'], { env: { IDPASS_HOME: tempHome() } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/needs an address, like 127\.0\.0\.1/);
  });
});

describe('shutdown', () => {
  it('Ctrl-C while a forward runs: the app’s answer still reaches the sender, and stderr says what it waits for', async () => {
    // slower than the old fixed 5 s grace, within --forward-timeout
    const app = await scope.receiver(() => ({ status: 200, body: '{"ok":"late"}', delayMs: 5_300 }));
    const l = await scope.listen(['--forward-to', app.url, '--forward-timeout', '7s']);
    const body = '{"verification":{"status":"VERIFIED"}}';
    const reply = postRaw(l.url, body, { 'content-type': 'application/json', token: 'slow-1' });
    while (app.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const code = l.stop('SIGINT');
    expect(await reply).toEqual({ status: 200, text: '{"ok":"late"}' });
    expect(await code).toBe(0);
    expect(l.stderr()).toMatch(/waiting up to 8s for 1 delivery in flight/);
    const outcome = readStoreLines(l.home).find((x) => x.kind === 'outcome');
    expect(outcome).toMatchObject({ answerStatus: 200, forward: { status: 200, answered: true } });
  }, 20_000);
});

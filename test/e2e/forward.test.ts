import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { freePort } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

/** `idpass listen` forwarding the way teams work: several targets and routes, extra headers, HTTPS (built bin, real servers). */
const scope = testScope();

/** A key and a self-signed certificate for 127.0.0.1, made by openssl for this run. */
function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = tempHome();
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1'];
  execFileSync('openssl', [...args, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

describe('forwarding to several targets', () => {
  it('a route table: each app gets exactly its deliveries, byte for byte; the sender gets the first target’s answer', async () => {
    const main = await scope.receiver(() => ({ status: 200, body: '{"app":"main"}' }));
    const wf = await scope.receiver(() => ({ status: 202, body: '{"app":"workflows"}' }));
    const l = await scope.listen(['-f', main.url, '-f', `workflow.*=${wf.url}`, '-H', 'x-team: kyc']);
    const direct = await runInProcess(['trigger', 'verification.completed', '--to', `${l.url}/webhook`, '--json']);
    expect(direct.code).toBe(0);
    const run = await runInProcess(['trigger', 'workflow.process.completed', '--to', `${l.url}/webhook`, '--json']);
    expect(run.code).toBe(0);
    const [sentRun] = jsonLines(run.stdout);
    expect(sentRun).toMatchObject({ status: 200 }); // main's answer, not the workflow app's 202
    const deliveries = await l.waitForLine(
      (x) => x.type === 'delivery' && (x as { event?: string }).event === 'workflow.process.completed',
    );
    expect(main.received).toHaveLength(2);
    expect(wf.received).toHaveLength(1);
    // byte-identical, and the extra header on both
    // the bytes Prembly's signature covers, unchanged: the live key's HMAC still matches at the workflow app
    const live = 'live_pk_idpass0stand0in0live0key0not0real';
    expect(createHmac('sha256', live).update(wf.received[0]!.body).digest('base64')).toBe(wf.received[0]!.headers['x-prembly-signature']);
    expect(wf.received[0]!.body.equals(main.received[1]!.body)).toBe(true);
    expect(main.received.every((r) => r.headers['x-team'] === 'kyc')).toBe(true);
    expect(wf.received[0]!.headers['x-team']).toBe('kyc');
    expect(wf.received[0]!.headers['x-prembly-signature']).toBe(main.received[1]!.headers['x-prembly-signature']);
    // every target's answer in the NDJSON line and in the store
    expect((deliveries as { forwards?: { status: number }[] }).forwards?.map((f) => f.status)).toEqual([200, 202]);
    const list = await runInProcess(['events', 'show', String((deliveries as { id: string }).id), '--json'], {
      env: { IDPASS_HOME: l.home },
    });
    const shown = JSON.parse(list.stdout) as { forwards: { status: number }[]; forwardTargets: string[] };
    expect(shown.forwards.map((f) => f.status)).toEqual([200, 202]);
    expect(shown.forwardTargets).toHaveLength(2);
    const show = await runInProcess(['events', 'show', String((deliveries as { id: string }).id)], { env: { IDPASS_HOME: l.home } });
    expect(show.stdout).toMatch(/App replies \(2 targets; the sender got the first\)/);
    // resend goes to every target again
    const resent = await runInProcess(['events', 'resend', String((deliveries as { id: string }).id), '--expect-status', '2xx'], {
      env: { IDPASS_HOME: l.home },
    });
    expect(resent.code).toBe(0);
    expect(main.received).toHaveLength(3);
    expect(wf.received).toHaveLength(2);
  }, 30_000);

  it('one target down does not stop the others; the sender gets the first target’s 502', async () => {
    const closed = await freePort();
    const up = await scope.receiver();
    const l = await scope.listen(['-f', `http://127.0.0.1:${closed}/gone`, '-f', up.url]);
    const res = await runInProcess(['trigger', 'verification.completed', '--to', `${l.url}/webhook`, '--json']);
    expect(res.code).toBe(1);
    expect(jsonLines(res.stdout)[0]).toMatchObject({ status: 502 });
    expect(up.received).toHaveLength(1);
    const line = await l.waitForLine((x) => x.type === 'delivery');
    expect((line as { forwards: { status: number; answered: boolean }[] }).forwards.map((f) => [f.status, f.answered])).toEqual([
      [502, false],
      [200, true],
    ]);
  }, 30_000);

  it('a slow second target does not hold the sender: it gets the first target’s answer at once, the slow one is recorded when it answers', async () => {
    const fast = await scope.receiver(() => ({ status: 200, body: '{"fast":true}' }));
    const slow = await scope.receiver(() => ({ status: 200, body: '{"slow":true}', delayMs: 1_500 }));
    const l = await scope.listen(['-f', fast.url, '-f', slow.url]);
    const res = await runInProcess(['trigger', 'verification.completed', '--to', `${l.url}/webhook`, '--json', '--timeout', '1s']);
    // before: the sender waited for the slowest target (1.5 s here, past this 1 s limit)
    expect(res.code).toBe(0);
    expect(jsonLines(res.stdout)[0]).toMatchObject({ status: 200 });
    const line = (await l.waitForLine((x) => x.type === 'delivery', 15_000)) as { forwards: { status: number; answered: boolean }[] };
    expect(line.forwards.map((f) => [f.status, f.answered])).toEqual([
      [200, true],
      [200, true],
    ]);
  }, 30_000);

  it('a forwarded header may not replace the signature or token unless asked', async () => {
    const app = await scope.receiver();
    const home = tempHome();
    const refused = await runInProcess(
      ['listen', '--no-tunnel', '--port', '0', '-f', app.url, '-H', 'x-prembly-signature: forged', '--timeout', '1s'],
      {
        env: { IDPASS_HOME: home },
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--forward-header x-prembly-signature would replace the x-prembly-signature Prembly sent/);
    const l = await scope.listen(['-f', app.url, '-H', 'x-prembly-signature: forged', '--allow-signature-override']);
    await runInProcess(['trigger', 'verification.completed', '--to', `${l.url}/webhook`]);
    expect(app.received[0]!.headers['x-prembly-signature']).toBe('forged');
  }, 30_000);

  it('trigger, its load mode and doctor reach an HTTPS app with a self-signed certificate only with --insecure', async () => {
    const server = https.createServer(selfSignedCert(), (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => server.close(resolve)));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const refused = await runInProcess(['trigger', 'verification.completed', '--to', url, '--json']);
    expect(refused.code).not.toBe(0);
    expect(jsonLines(refused.stdout)[0]).toMatchObject({ ok: false });
    expect((await runInProcess(['trigger', 'verification.completed', '--to', url, '--insecure'])).code).toBe(0);
    expect((await runInProcess(['trigger', 'verification.completed', '--to', url, '--insecure', '--count', '5'])).code).toBe(0);
    const doctor = await runInProcess(['doctor', url, '--insecure', '--only', 'genuine.verification.completed']);
    expect(doctor.code).toBe(0);
  }, 30_000);

  it('an HTTPS app with a self-signed certificate is reached only with --insecure; --forward-timeout none is said once', async () => {
    let hits = 0;
    const server = https.createServer(selfSignedCert(), (req, res) => {
      hits++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"tls":true}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise((resolve) => server.close(resolve)));
    const target = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const strict = await scope.listen(['-f', target]);
    const refused = await runInProcess(['trigger', 'verification.completed', '--to', `${strict.url}/webhook`, '--json']);
    expect(jsonLines(refused.stdout)[0]).toMatchObject({ status: 502 });
    expect(hits).toBe(0);

    const insecure = await scope.listen(['-f', target, '--insecure', '--forward-timeout', 'none']);
    await insecure.waitForStderr(/note: --insecure/);
    expect(insecure.stderr()).toMatch(
      /note: --forward-timeout none: idpass waits for your app as long as it takes; Prembly gives up after 10s/,
    );
    const ok = await runInProcess(['trigger', 'verification.completed', '--to', `${insecure.url}/webhook`, '--json']);
    expect(ok.code).toBe(0);
    expect(hits).toBe(1);
  }, 30_000);
});

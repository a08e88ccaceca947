import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BIN, jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

/** Bytes from outside are hostile: nothing crashes a renderer, reaches the terminal raw, or drops a delivery. */

const KEY = 'test_pk_hostile0e2e0key0abcd';
const hmac = (body: string) => createHmac('sha256', KEY).update(body).digest('base64');
const scope = testScope();
const signed = (body: string, token = `t-${Math.random()}`) => ({
  'content-type': 'application/json',
  'x-prembly-signature': hmac(body),
  token,
});
const ESC = '\u001b';
const HOSTILE = `${ESC}]0;pwned${ESC}\\${ESC}[2J${ESC}]52;c;ZXZpbA==\u0007\u009b31m`;

/** Runs `idpass listen` in plain mode (stdout a pipe), sends it requests, and returns what it printed. */
async function plainListen(send: (url: string) => Promise<unknown>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const home = tempHome();
  const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--no-tunnel', '--public-key', KEY], {
    env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': the output streams may still be draining when the process exits
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`listen did not start: ${stderr}`)), 10_000);
    child.stderr.on('data', () => {
      const match = /local\s+(http:\/\/127\.0\.0\.1:\d+)\s/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  await send(url);
  // the sender has its answer; its line follows on listen's next tick: wait for it, not for a fixed time
  for (const deadline = Date.now() + 10_000; !stdout.includes('\n') && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGINT');
  return { stdout, stderr, code: await exited };
}

describe('hostile and unusual bodies (built binary)', () => {
  it('a body nested 50,000 levels deep is answered, recorded, printed and counted; events show explains it', async () => {
    const depth = 50_000;
    const body = `{"verification":{"status":"VERIFIED","reference":"deep-1"},"billing_info":{},"data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const plain = await plainListen((url) => postRaw(url, body, signed(body)));
    expect(plain.stdout).toMatch(/verification\.completed\s+VERIFIED/);

    const l = await scope.listen(['--public-key', KEY, '--wait-for', 'verification.completed', '--timeout', '20s']);
    expect((await postRaw(l.url, body, signed(body))).status).toBe(200);
    const [d] = await l.waitForDeliveries(1);
    expect(d).toMatchObject({ event: 'verification.completed', stored: true, signature: { valid: true } });
    expect(JSON.stringify(d!.body)).toMatch(/nested \d+ levels, not shown/);
    expect(await l.exited).toBe(0);
    const shown = await runInProcess(['events', 'show', String(d!.id)], { env: { IDPASS_HOME: l.home, IDPASS_PUBLIC_KEY: KEY } });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/not shown/);
  }, 30_000);

  it('a multi-megabyte base64 photo is summarised, not printed, and the line still comes', async () => {
    const photo = '/9j/' + 'A'.repeat(4 * 1024 * 1024);
    const body = JSON.stringify({
      verification: { status: 'VERIFIED', reference: 'big-1' },
      billing_info: {},
      data: { photo, note: photo },
    });
    const l = await scope.listen(['--public-key', KEY]);
    expect((await postRaw(l.url, body, signed(body))).status).toBe(200);
    const [d] = await l.waitForDeliveries(1, 20_000);
    const data = (d!.body as { data: Record<string, string> }).data;
    expect(data.photo).toMatch(/^\[image, [\d.]+ KB, redacted\]$/);
    expect(data.note).toMatch(/^\[image/);
  }, 30_000);

  it('terminal escape sequences in body fields and the path never reach the terminal raw', async () => {
    const body = JSON.stringify({
      verification: { status: 'VERIFIED', reference: `ref${HOSTILE}` },
      billing_info: {},
      endpoint_name: `BVN${HOSTILE}`,
      detail: HOSTILE,
    });
    const plain = await plainListen(async (url) => {
      await postRaw(`${url}/hook?x=${encodeURIComponent(HOSTILE)}`, body, signed(body));
      await postRaw(url, `not json ${HOSTILE}`, signed(`not json ${HOSTILE}`));
    });
    expect(plain.code).toBe(0);
    for (const text of [plain.stdout, plain.stderr]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    expect(plain.stdout).toContain('BVN␛]0;pwned');

    const l = await scope.listen(['--public-key', KEY]);
    await postRaw(l.url, body, signed(body));
    const [d] = await l.waitForDeliveries(1);
    expect(l.stdout()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(d!.product).toBe(`BVN${HOSTILE}`); // the JSON value itself is kept exactly
    const shown = await runInProcess(['events', 'show', String(d!.id)], { env: { IDPASS_HOME: l.home, IDPASS_PUBLIC_KEY: KEY } });
    expect(shown.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(shown.stdout).toContain('␛');
  }, 30_000);

  it('a body that is not JSON is shown with its numbers and e-mail addresses masked, unless --show-pii', async () => {
    const text = '\ufeff{"bvn":"22200000001","phone":"08000000001","email":"ada@example.com"'; // a BOM and a cut-off body
    const l = await scope.listen(['--public-key', KEY]);
    expect((await postRaw(l.url, text, signed(text))).status).toBe(400);
    const [d] = await l.waitForDeliveries(1);
    expect(d!.jsonError).toMatch(/not JSON/);
    expect(String(d!.bodyText)).not.toMatch(/22200000001|08000000001|ada@example\.com/);
    expect(l.stdout()).not.toMatch(/22200000001/);
    const env = { IDPASS_HOME: l.home, IDPASS_PUBLIC_KEY: KEY };
    const shown = await runInProcess(['events', 'show', String(d!.id)], { env });
    expect(shown.stdout).not.toMatch(/22200000001|08000000001|ada@example\.com/);
    const revealed = await runInProcess(['events', 'show', String(d!.id), '--show-pii'], { env });
    expect(revealed.stdout).toContain('22200000001');
    expect(jsonLines((await runInProcess(['events', 'list', '--json'], { env })).stdout)).toHaveLength(1);
  });
});

describe('a large body of 400,000 keys (built binary)', () => {
  it('its NDJSON line is made off the listener thread and keeps its place: the small delivery after it comes after it, both whole', async () => {
    const data: Record<string, number> = {};
    for (let i = 0; i < 400_000; i++) data[`k${i}`] = i;
    const large = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'keys-1' }, billing_info: {}, data });
    const small = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'small-1' }, billing_info: {} });
    const l = await scope.listen(['--public-key', KEY]);
    const sent = postRaw(l.url, large, signed(large));
    expect((await postRaw(l.url, small, signed(small))).status).toBe(200);
    expect((await sent).status).toBe(200);
    const lines = await l.waitForDeliveries(2, 20_000);
    const refs = lines.map((d) => d.reference);
    // both answered; the lines come in the order the deliveries were completed, the large one whole
    expect(refs.sort()).toEqual(['keys-1', 'small-1']);
    const big = lines.find((d) => d.reference === 'keys-1')!;
    expect(Object.keys((big.body as { data: Record<string, number> }).data)).toHaveLength(400_000);
    expect((big.body as { data: Record<string, number> }).data.k399999).toBe(399_999);
  }, 30_000);
});

describe('a small gzip body that inflates to megabytes (built binary)', () => {
  it('is decoded and parsed off the listener thread: answered, classified, shown decoded in NDJSON, and counted', async () => {
    const { gzipSync } = await import('node:zlib');
    const text = JSON.stringify({
      verification: { status: 'VERIFIED', reference: 'gz-big' },
      billing_info: {},
      data: { note: 'z'.repeat(20_000_000) },
    });
    const gz = gzipSync(text);
    expect(gz.length).toBeLessThan(200_000);
    const l = await scope.listen(['--public-key', KEY, '--wait-for', 'verification.completed', '--timeout', '20s']);
    const reply = await postRaw(l.url, gz, { 'content-type': 'application/json', 'content-encoding': 'gzip', token: 'gz-1' });
    expect(reply.status).toBe(200);
    const [d] = await l.waitForDeliveries(1, 20_000);
    expect(d).toMatchObject({ event: 'verification.completed', identityStatus: 'VERIFIED', reference: 'gz-big' });
    expect(String((d!.body as { data: { note: string } }).data.note).length).toBeGreaterThan(0);
    expect(await l.exited).toBe(0);
  }, 30_000);
});

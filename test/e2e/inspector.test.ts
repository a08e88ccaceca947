import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { launchBrowser } from '../helpers/browser.js';
import { postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import type { RunningListen } from '../helpers/listen.js';

/** The web inspector from the built CLI, in a real Chromium (Debian's, driven by playwright-core). */

const KEY = 'test_pk_inspector0key0abcdef';
const LIVE = 'live_pk_inspector0key0abcdef';
const scope = testScope();
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(() => browser?.close());

const sign = (text: string | Buffer, key = KEY) => createHmac('sha256', key).update(text).digest('base64');
const delivery = (ref: string, status = 'VERIFIED', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    status: status === 'VERIFIED',
    response_code: status === 'VERIFIED' ? '00' : '02',
    verification: { status, reference: ref },
    endpoint_name: 'BVN Basic',
    ...extra,
  });
const post = (l: RunningListen, text: string | Buffer, headers: Record<string, string> = {}) =>
  postRaw(`${l.url}/webhook`, text, { 'content-type': 'application/json', 'x-prembly-signature': sign(text), ...headers });

async function listenWithInspector(args: string[] = []) {
  const l = await scope.listen(['--public-key', KEY, '--live-public-key', LIVE, '--inspect', '--inspect-port', '0', ...args]);
  const inspector = String(l.lines.find((f) => f.type === 'ready')!.inspector);
  const url = new URL(inspector);
  return { l, inspector, base: url.origin, token: url.searchParams.get('token')! };
}

async function openPage(inspector: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  scope.defer(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(inspector);
  await page.waitForSelector('header .state.good');
  return { page, errors };
}

const row = (page: Page, ref: string) => page.locator('.row', { hasText: ref });

describe('the web inspector (built CLI, real Chromium)', () => {
  it('answers only with its token, only to its own Host, writes only from its own origin; CSP self; loopback only, not on the listener port', async () => {
    const { l, inspector, base, token } = await listenWithInspector();
    expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect((await post(l, delivery('secret-ref'))).status).toBe(200);
    const bare = await fetch(`${base}/api/deliveries`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).not.toContain('secret-ref');
    const wrong = await fetch(`${base}/api/deliveries`, { headers: { 'x-idpass-token': `${token.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/api/deliveries`, { headers: { 'x-idpass-token': token } });
    expect(await ok.text()).toContain('secret-ref');
    // DNS rebinding: a page on another name that resolves here sends its own Host
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/api/deliveries`,
        { headers: { host: `evil.example:${new URL(base).port}`, 'x-idpass-token': token } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
    // CSRF: a write from another origin, or from a cookie without an Origin, is refused
    const cookie = `idpass_inspector=${token}`;
    const list = (await (await fetch(`${base}/api/deliveries`, { headers: { 'x-idpass-token': token } })).json()) as {
      deliveries: { id: string }[];
    };
    const target = list.deliveries[0]!.id;
    const foreign = await fetch(`${base}/api/deliveries/${target}/resend`, {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    const noOrigin = await fetch(`${base}/api/deliveries/${target}/resend`, { method: 'POST', headers: { cookie }, body: '{}' });
    expect(noOrigin.status).toBe(403);
    const page = await fetch(`${base}/`, { headers: { cookie } });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // the tunnel reaches the listener's port: the inspector's API is not there
    const viaListener = await fetch(`${l.url}/api/deliveries?token=${token}`);
    expect(await viaListener.text()).not.toContain('secret-ref');
    // bound to 127.0.0.1: this machine's other addresses do not answer
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (other) await expect(fetch(`http://${other}:${new URL(base).port}/`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
  });

  it('lists deliveries live, filters and searches them, explains one, and compares the pending with the final', async () => {
    const { l, inspector } = await listenWithInspector();
    const { page, errors } = await openPage(inspector);
    expect((await post(l, delivery('ref-pending-1', 'PENDING'))).status).toBe(200);
    await row(page, 'ref-pending-1').waitFor({ timeout: 2_000 });
    expect((await post(l, delivery('ref-pending-1', 'VERIFIED'))).status).toBe(200);
    await page.locator('.row', { hasText: 'VERIFIED' }).waitFor({ timeout: 2_000 });
    const forged = delivery('ref-forged-2');
    expect((await post(l, forged, { 'x-prembly-signature': sign(forged, 'test_pk_not_the_key') })).status).toBe(200);
    await row(page, 'ref-forged-2').waitFor({ timeout: 2_000 });
    expect(await page.locator('.row').count()).toBe(3);
    await page.selectOption('select[name="signature"]', 'invalid');
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 1);
    expect(await page.locator('.row').first().textContent()).toContain('ref-forged-2');
    await page.selectOption('select[name="signature"]', '');
    await page.fill('input[name="q"]', 'ref-pending');
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 2);
    await page.locator('.row', { hasText: 'VERIFIED' }).click();
    await page.locator('.tab', { hasText: 'valid (prembly-hmac, sandbox key)' }).waitFor();
    await page.click('[data-tab="Headers"]');
    await page.waitForSelector('[data-tab="Headers"].on');
    const headers = await page.locator('.tab').textContent();
    expect(headers).toContain('x-prembly-signature');
    expect(headers).not.toContain(sign(delivery('ref-pending-1', 'VERIFIED')));
    await page.click('[data-tab="Body"]');
    await page.locator('.tree .toggle', { hasText: '2 keys' }).click();
    await page.locator('.tree li li', { hasText: 'reference: "ref-pending-1"' }).waitFor();
    await page.click('[data-tab="Compare"]');
    const changed = page.locator('tr.changed', { hasText: '(result)' });
    await changed.waitFor();
    expect(await changed.textContent()).toMatch(/PENDING.*VERIFIED/);
    expect(await page.locator('tr.changed', { hasText: 'verification.status' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('resend sends the exact bytes; edit and send signs afresh; the copied curl reproduces it; HAR has every delivery', async () => {
    const app = await scope.receiver();
    const { l, inspector, base, token } = await listenWithInspector(['--forward-to', app.url]);
    const { page, errors } = await openPage(inspector);
    const text = delivery('ref-resend-3');
    await post(l, text);
    await row(page, 'ref-resend-3').click();
    await page.waitForSelector('.resend');
    await page.click('.resend');
    await page.locator('.out', { hasText: '200 in' }).waitFor();
    expect(app.received).toHaveLength(2);
    expect(app.received[1]!.body.equals(Buffer.from(text))).toBe(true);
    expect(app.received[1]!.headers['x-prembly-signature']).toBe(sign(text));
    // or to any URL
    const other = await scope.receiver();
    await page.fill('.resend-to', other.url);
    await page.click('.resend');
    await page.locator('.out', { hasText: String(other.port) }).waitFor();
    expect(other.received.map((r) => r.body.toString())).toEqual([text]);
    await page.fill('.resend-to', '');
    await page.click('[data-tab="Edit & send"]');
    const edited = (await page.inputValue('textarea')).replace('"VERIFIED"', '"FAILED"');
    await page.fill('textarea', edited);
    await page.click('.send');
    await page.locator('.tab', { hasText: 'signed with the sandbox key' }).waitFor();
    expect(app.received).toHaveLength(3);
    const sent = app.received[2]!;
    expect(sent.body.toString()).toContain('"FAILED"');
    expect(sent.headers['x-prembly-signature']).toBe(sign(sent.body));
    expect(sent.headers.token).not.toBe(app.received[0]!.headers.token);
    // copy as curl, then run what was copied in a shell
    await page.click('.copy-curl');
    const curl = await page.locator('.out pre.curl').textContent();
    await promisify(execFile)('bash', ['-c', curl!]);
    expect(app.received).toHaveLength(4);
    expect(app.received[3]!.body.equals(Buffer.from(text))).toBe(true);
    expect(app.received[3]!.headers['x-prembly-signature']).toBe(sign(app.received[3]!.body));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/api/export.har"]')]);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: { _idpass: { reference: string } }[] } };
    expect(har.log.entries.map((e) => e._idpass.reference)).toEqual(['ref-resend-3']);
    const ndjson = await (await fetch(`${base}/api/export.ndjson`, { headers: { 'x-idpass-token': token } })).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).reference),
    ).toEqual(['ref-resend-3']);
    expect(errors).toEqual([]);
  });

  it('hostile bodies: nothing executes, no markup, hidden characters shown, the page stays responsive, listen stays bounded', async () => {
    const { l, inspector } = await listenWithInspector(['--max-body', '20mb']);
    const { page, errors } = await openPage(inspector);
    const hostile = delivery('ref-hostile-4', 'VERIFIED', {
      html: '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">',
      link: 'javascript:window.__pwned=3',
      bidi: 'abc\u202Eevil\u202C',
      escapes: '\u001b]0;title\u0007\u001b[2J',
    });
    await post(l, hostile);
    await post(l, delivery('ref-huge-5', 'VERIFIED', { big: 'x'.repeat(10 * 1024 * 1024) }));
    const deep = `{"verification":{"status":"VERIFIED","reference":"ref-deep-6"},"deep":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    await post(l, deep);
    const invalid = Buffer.concat([
      Buffer.from('{"verification":{"reference":"ref-bytes-7"},"x":"'),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
      Buffer.from('"}'),
    ]);
    await post(l, invalid);
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));
    await post(l, bomb, { 'content-encoding': 'gzip' });
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 5, null, { timeout: 10_000 });
    // every one of them opens, in every tab, and the page keeps answering
    for (let i = 0; i < 5; i++) {
      await page.locator('.row').nth(i).click();
      await page.waitForSelector(`h2:has-text("${await page.locator('.row').nth(i).getAttribute('data-id')}")`);
      for (const tab of ['Body', 'Raw', 'Explain', 'Headers']) {
        await page.click(`[data-tab="${tab}"]`);
        await page.waitForSelector(`[data-tab="${tab}"].on`);
      }
      const started = Date.now();
      await page.evaluate(() => 1);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    await row(page, 'ref-hostile-4').click();
    await page.click('[data-tab="Body"]');
    await page.locator('.tree li', { hasText: 'html:' }).waitFor();
    const facts = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: document.querySelectorAll('script').length,
      handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
      images: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
      links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      text: document.body.innerText,
    }));
    expect(facts.pwned).toBeUndefined();
    expect(facts.scripts).toBe(1);
    expect(facts.handlers).toBe(0);
    expect(facts.images).toEqual([]);
    expect(facts.links.every((href) => href?.startsWith('/api/'))).toBe(true);
    expect(facts.text).toContain('<script>window.__pwned=1</script>');
    expect(facts.text).toContain('⟨U+202E⟩');
    // a terminal escape is text: JSON-escaped in the tree, never acted on
    expect(facts.text).toContain('\\u001b]0;title');
    expect(errors).toEqual([]);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${l.child.pid}/status`, 'utf8'))?.[1]) / 1024;
    expect(rss).toBeLessThan(700);
  }, 90_000);

  it('--show-pii shows the pictures in a body as images (built from their base64, never from a URL in the body)', async () => {
    const { l, inspector } = await listenWithInspector(['--show-pii']);
    const { page } = await openPage(inspector);
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await post(l, delivery('ref-photo-8', 'VERIFIED', { data: { photo: png, url: 'http://example.invalid/x.png' } }));
    await row(page, 'ref-photo-8').click();
    await page.click('[data-tab="Body"]');
    await page.locator('.tree .toggle', { hasText: '2 keys' }).last().click();
    const img = page.locator('.tree img');
    await img.waitFor();
    expect(await img.getAttribute('src')).toBe(`data:image/png;base64,${png}`);
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    expect(await page.locator('img').count()).toBe(1);
  });

  it('idpass inspect serves the store alone and follows a listener recording in another process', async () => {
    const l = await scope.listen(['--public-key', KEY, '--no-inspect']);
    expect(l.lines.find((f) => f.type === 'ready')!.inspector).toBeUndefined();
    await post(l, delivery('ref-store-9'));
    await l.waitForDeliveries(1);
    const ready = `${l.home}/inspect-ready.json`;
    const inspect = spawn(process.execPath, [BIN, 'inspect', '--port', '0', '--json', '--ready-file', ready, '--public-key', KEY], {
      env: { ...process.env, NO_COLOR: '1', IDPASS_HOME: l.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    scope.defer(() => inspect.kill('SIGKILL'));
    let out = '';
    inspect.stdout.on('data', (c) => (out += c));
    for (let i = 0; i < 300 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
    const url = String(JSON.parse(readFileSync(ready, 'utf8')).url);
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ type: 'ready', inspector: url, deliveries: 1 });
    const { page } = await openPage(url);
    await row(page, 'ref-store-9').waitFor();
    await post(l, delivery('ref-store-10'));
    await row(page, 'ref-store-10').waitFor({ timeout: 5_000 });
    const exited = new Promise((resolve) => inspect.on('exit', resolve));
    inspect.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(ready)).toBe(false);
  });

  it('the page is its own small modules: under 150 KB of JavaScript gzipped, no other origin named in them', () => {
    const dir = new URL('../../dist/inspector/page/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(files).toContain('main.js');
    const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(new URL(f, dir))).length, 0);
    expect(gzipped).toBeLessThan(150 * 1024);
    for (const f of files) expect(readFileSync(new URL(f, dir), 'utf8')).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });
});

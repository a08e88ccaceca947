// Makes docs/inspector.png (the README's picture of the inspector) from the built CLI: a listener
// with its inspector, an app it forwards to, a pending and a final delivery of one reference and a
// forged one, then Debian's chromium opens the final and compares it with the pending.
// npm run build && node scripts/screenshot.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/idpass.js');
const home = mkdtempSync(join(tmpdir(), 'idpass-shot-'));
const env = { ...process.env, IDPASS_HOME: home, NO_COLOR: '1' };

const app = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'));
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
const appUrl = `http://127.0.0.1:${app.address().port}/webhooks/identitypass`;

const ready = join(home, 'ready.json');
const listen = spawn(
  process.execPath,
  [
    bin,
    'listen',
    '--no-tunnel',
    '--port',
    '0',
    '--inspect',
    '--inspect-port',
    '0',
    '--json',
    '--forward-to',
    appUrl,
    '--ready-file',
    ready,
  ],
  { env, stdio: ['ignore', 'pipe', 'inherit'] },
);
let out = '';
listen.stdout.on('data', (c) => (out += c));
while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 100));
const { url } = JSON.parse(readFileSync(ready, 'utf8'));
const inspector = JSON.parse(out.split('\n')[0]).inspector;
// a forged delivery is one listen answers 200 (it records and explains), so that trigger exits 1: its status is not the point here
const trigger = (...args) =>
  new Promise((resolve) =>
    spawn(process.execPath, [bin, 'trigger', ...args, '--to', `${url}/webhooks/identitypass`], { env, stdio: 'ignore' }).on(
      'exit',
      resolve,
    ),
  );
await trigger('verification.completed', '--product', 'nin', '--reference', 'kyc-7f3a-0001', '--pending-first');
await trigger('verification.completed', '--reference', 'kyc-7f3a-0002', '--tamper', 'signature');
await trigger('verification.failed', '--reference', 'kyc-7f3a-0003');

const browser = await launchChromium({ width: 1280, height: 760 });
const context = browser.context;
const page = await context.newPage();
await page.goto(inspector);
await page.waitForSelector('.row');
await page.locator('.row', { hasText: 'retry.completed' }).first().click();
await page.click('[data-tab="Compare"]');
await page.waitForSelector('tr.changed');
const target = join(root, 'docs', 'inspector.png');
await page.screenshot({ path: target });
await browser.close();
listen.kill('SIGINT');
app.close();
console.log(`wrote ${target}`);

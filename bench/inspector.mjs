/* global document, requestAnimationFrame, fetch */
// The web inspector measured in one run (npm run bench:inspector), in Debian's chromium:
// - first render with 10,000 deliveries stored: Chromium's own timing (performance.mark after the
//   first list is drawn, since navigation start), against the first contentful paint of a bare page
//   from a bare node server;
// - scrolling the whole list: the longest frame and the 99th percentile, against a plain page that
//   draws the same 10,000 rows without virtualising;
// - listen's RSS with the page open (and scrolled) against listen before any page was opened;
// - a 10 MB body: from the click to its tree's first level on screen;
// - a burst of 500 deliveries/s for 10 s with the page open, against the same burst with no page.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { launchChromium } from '../test/helpers/chromium.mjs';
import { fmt, key, lineFrom, root, startProcess, stopProcesses } from './lib.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sign = (text) => createHmac('sha256', key).update(text).digest('base64');
const text = JSON.stringify({
  verification: { status: 'VERIFIED', reference: 'bench-inspector' },
  billing_info: {},
  pad: 'x'.repeat(1500),
});
const headers = { 'content-type': 'application/json', 'x-prembly-signature': sign(text) };
const home = mkdtempSync(join(tmpdir(), 'idpass-bench-inspector-'));
const BURST_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function listen(extra) {
  const child = startProcess(
    [join(root, 'bin/idpass.js'), 'listen', '--no-tunnel', '--port', '0', '--json', '--public-key', key, '--max-body', '20mb', ...extra],
    {
      IDPASS_HOME: home,
    },
  );
  const ready = JSON.parse(await lineFrom(child, (line) => line.includes('"ready"')));
  return { child, url: ready.url, inspector: ready.inspector };
}

const load = (url, options) => autocannon({ url: `${url}/webhook`, method: 'POST', headers, body: text, connections: 16, ...options });

async function fill(count) {
  const l = await listen(['--no-inspect']);
  await load(l.url, { amount: count });
  l.child.kill('SIGINT');
  await new Promise((resolve) => l.child.once('exit', resolve));
}

/** A bare node server with a bare page, and a page drawing the same number of rows without virtualising. */
async function bareServer(rows) {
  const list = Array.from({ length: rows }, (_, i) => `<div class="r">${i} verification.completed VERIFIED valid 200</div>`).join('');
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      req.url === '/list'
        ? `<!doctype html><style>.r{height:28px}</style><div id="l" style="height:700px;overflow:auto">${list}</div>`
        : '<!doctype html><p>bare</p>',
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** Scrolls an element top to bottom in steps, one per frame; the frame times seen meanwhile. */
const scrollFrames = (selector) =>
  new Promise((resolve) => {
    const el = document.querySelector(selector);
    const frames = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return resolve(frames.slice(1));
      el.scrollTop += 600;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });

const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;

async function main() {
  console.log(`bench:inspector on Node ${process.versions.node}`);
  await fill(10_000);
  const l = await listen(['--inspect', '--inspect-port', '0']);
  await sleep(3_000);
  const before = rss(l.child.pid);
  const browser = await launchChromium();
  const context = browser.context;
  const bare = await bareServer(10_000);
  const page = await context.newPage();
  await page.goto(bare.url);
  const bareFcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? performance.now());
  await page.goto(l.inspector);
  await page.waitForFunction(() => performance.getEntriesByName('idpass-first-render').length > 0, null, { timeout: 30_000 });
  const first = await page.evaluate(() => performance.getEntriesByName('idpass-first-render')[0].startTime);
  console.log(
    `first render with 10,000 stored: ${fmt(first)} ms after navigation; a bare page's first paint ${fmt(bareFcp)} ms (goal ≤ 300 ms)`,
  );
  // every row is known to the page once the background pages are in
  await page.waitForFunction(() => document.querySelector('.rows')?.style.height === `${10_000 * 28}px`, null, { timeout: 30_000 });
  const frames = await page.evaluate(scrollFrames, '.list');
  const naive = await context.newPage();
  await naive.goto(`${bare.url}/list`);
  const naiveFrames = await naive.evaluate(scrollFrames, '#l');
  await naive.close();
  console.log(
    `scrolling 10,000 rows: longest frame ${fmt(Math.max(...frames))} ms, p99 ${fmt(p99(frames))} ms over ${frames.length} frames; a plain 10,000-row page ${fmt(Math.max(...naiveFrames))} / ${fmt(p99(naiveFrames))} ms (goal < 50 ms)`,
  );
  const open = rss(l.child.pid);
  console.log(
    `listen RSS: ${fmt(before)} MB before the page, ${fmt(open)} MB with it open and scrolled: +${fmt(open - before)} MB (goal within 50)`,
  );
  const big = JSON.stringify({
    verification: { status: 'VERIFIED', reference: 'bench-10mb' },
    data: { image: 'A'.repeat(10 * 1024 * 1024) },
  });
  await fetch(`${l.url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-prembly-signature': sign(big) },
    body: big,
  });
  await page.evaluate(() => (document.querySelector('.list').scrollTop = 0));
  await page.locator('.row', { hasText: 'bench-10mb' }).waitFor();
  const clicked = Date.now();
  await page.locator('.row', { hasText: 'bench-10mb' }).click();
  await page.click('[data-tab="Body"]');
  await page.locator('.tree li', { hasText: 'data:' }).waitFor();
  console.log(`a 10 MB body: tree's first level on screen ${Date.now() - clicked} ms after the click (goal ≤ 1000 ms)`);
  const withPage = await load(l.url, { overallRate: 500, duration: BURST_SECONDS });
  await page.close();
  await sleep(1_000);
  const withoutPage = await load(l.url, { overallRate: 500, duration: BURST_SECONDS });
  const rate = (r) => r.requests.total / r.duration;
  console.log(
    `burst at 500/s for ${BURST_SECONDS} s: ${fmt(rate(withPage))}/s with the page open (p99 ${withPage.latency.p99} ms), ${fmt(rate(withoutPage))}/s without (p99 ${withoutPage.latency.p99} ms): ratio ${fmt(rate(withPage) / rate(withoutPage))} (goal ≥ 0.90)`,
  );
  await browser.close();
  bare.server.close();
}

try {
  await main();
} finally {
  stopProcesses();
  await sleep(500);
  rmSync(home, { recursive: true, force: true });
}

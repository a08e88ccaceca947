import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signing/sign.js';
import { BIN } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { tempHome } from '../helpers/listen.js';
import { freePort, postRaw } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';
import { Terminal } from '../helpers/tmux.js';
import { startRelay } from '../helpers/relay.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const scope = testScope();

async function startLiveView(extraArgs: string[] = [], width = 120, shown = 'Waiting for deliveries', env: Record<string, string> = {}) {
  if (!Terminal.available()) throw new Error('tmux is needed for the live view tests (.ci/run installs it)');
  const app = await scope.receiver();
  const port = await freePort();
  const term = new Terminal(width, 32);
  scope.defer(() => term.kill());
  // CI=true makes ink draw only the last frame, as on a log; a person's terminal has no CI variable
  const command = [
    'env -u CI NO_COLOR=1',
    `IDPASS_HOME=${shellQuote(tempHome())}`,
    ...Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`),
    shellQuote(process.execPath),
    shellQuote(BIN),
    'listen --no-tunnel --port',
    String(port),
    '--forward-to',
    shellQuote(app.url),
    ...extraArgs,
    '; echo "EXIT=$?"',
  ].join(' ');
  term.start(command);
  await term.waitFor((s) => s.includes(shown), `the screen to show ${shown}`);
  return { term, app, url: `http://127.0.0.1:${port}/webhook` };
}

describe('the live view in a real terminal (tmux)', () => {
  it('serves the web inspector by default: its URL in the header, o opens it with $BROWSER; the URL answers', async () => {
    const opened = join(tempHome(), 'opened.txt');
    const browser = join(tempHome(), 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > ${shellQuote(opened)}\n`, { mode: 0o700 });
    const { term } = await startLiveView(['--inspect-port', '0'], 160, 'Waiting for deliveries', { BROWSER: browser });
    const screen = term.screen();
    const url = /inspector (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(screen)?.[1];
    expect(url, screen).toBeDefined();
    expect(screen).toContain('o opens it in a browser');
    term.keys('o');
    await term.waitFor((s) => s.includes('opening the inspector'), 'the opening message');
    for (let i = 0; i < 50 && !existsSync(opened); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(opened, 'utf8')).toBe(url);
    const page = await fetch(url!, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('set-cookie')).toMatch(/^idpass_inspector=[\w-]+; HttpOnly; SameSite=Strict/);
  });

  it('with --relay: the header says where the relay stands, the note says answers stay here, held deliveries arrive', async () => {
    const relay = await startRelay();
    scope.defer(() => relay.stop('SIGKILL'));
    const channel = await relay.channel();
    const key = 'test_pk_idpass0sandbox0key0not0for0production';
    const body = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'held-while-away' }, billing_info: {} });
    const { headers } = sign({ body, publicKey: key });
    expect((await postRaw(channel.url, body, { ...headers, 'content-type': 'application/json' })).status).toBe(200);
    const { term } = await startLiveView(['--relay', channel.url, '--relay-token', channel.token], 120, 'idpass listen');
    const screen = await term.waitFor(
      (s) => s.includes('held-whi') && s.includes('connected · live'),
      'the relayed delivery and the live state',
    );
    expect(screen).toMatch(/VERIFIED\s+✔ hmac\s+200 \d+ms\s+relay/);
    expect(screen).toMatch(/⇄ relay: connected · live/);
    expect(screen).toMatch(/never reach Prembly/);
    await relay.stop('SIGKILL');
    const down = await term.waitFor((s) => s.includes('reconnecting since'), 'the reconnecting state');
    expect(down).toMatch(/⇄ relay: reconnecting since \d\d:\d\d/);
  });

  it('a large body is not held by the view: Enter reads it back from the store, r replays every original byte', async () => {
    const { term, app, url } = await startLiveView();
    const key = 'test_pk_idpass0sandbox0key0not0for0production';
    const body = JSON.stringify({
      verification: { status: 'VERIFIED', reference: 'large-1' },
      billing_info: {},
      data: { note: 'n'.repeat(3_000_000) },
    });
    const { headers } = sign({ body, publicKey: key });
    expect((await postRaw(url, body, headers as Record<string, string>)).status).toBe(200);
    await term.waitFor((s) => s.includes('deliveries 1') && s.includes('large-1'), 'the large delivery');
    term.keys('Enter');
    // the details show the body read back (redacted note field elided by length), not the "loading" line
    await term.waitFor((s) => s.includes('"reference": "large-1"') && !s.includes('loading it from the store'), 'the body read back');
    term.keys('r');
    await term.waitFor(() => app.received.length === 2, 'the replay at the app');
    expect(app.received[1]!.body.toString()).toBe(body);
    term.keys('q');
  });

  it('shows deliveries as they arrive, opens details with Enter, replays with r and quits with q', async () => {
    const { term, app, url } = await startLiveView();
    expect(term.screen()).toContain(`npx idpass trigger verification.completed --to ${url}`);

    const sent = await runInProcess(['trigger', 'verification.completed', '--pending-first', '--delay', '50ms', '--to', url]);
    expect(sent.code).toBe(0);
    // rows appear on arrival; wait until the app's answer to the second one is in too
    const screen = await term.waitFor(
      (s) => s.includes('deliveries 2') && /VERIFIED 00\s+✔ hmac live\s+200 \d+ms/.test(s),
      'two answered deliveries',
    );
    expect(screen).toMatch(/verification\.pending\s+PENDING 02/);
    // the final result arrives as the retry-flagged kind, signed with the live key
    expect(screen).toMatch(/verification\.\S*completed\s+VERIFIED 00\s+✔ hmac live\s+200 \d+ms\s+retry/);
    expect(screen).toContain('local http://127.0.0.1:');
    expect(screen).toContain('local only (--no-tunnel)');

    term.keys('Up');
    await term.waitFor((s) => /› .*verification\.pending/.test(s), 'the pending row selected');
    term.keys('Enter');
    const detail = await term.waitFor((s) => s.includes('Headers') && s.includes('Signature'), 'the detail pane');
    expect(detail).toContain('✔ valid (prembly-hmac, sandbox key)');
    expect(detail).toMatch(/x-prembly-signature: \S{8}… \(44 characters\)/);
    expect(detail).toContain('PENDING  response_code 02 (service unavailable, retry later)');

    term.keys('Enter');
    await term.waitFor((s) => s.includes('time') && s.includes('event') && !s.includes('Headers'), 'the list again');
    term.keys('r');
    await term.waitFor((s) => /replayed .*: the app answered 200/.test(s), 'the replay result');
    expect(app.received).toHaveLength(3);
    expect(app.received[2]!.body.equals(app.received[0]!.body)).toBe(true);
    expect(term.screen()).toMatch(/verification\.pending.*replay/);

    term.keys('q');
    const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
    expect(end).toContain('EXIT=0');
    expect(end).toContain('stopped after 2 deliveries');
  }, 40_000);

  it('keeps rows on one line when the terminal narrows, and ctrl-c quits cleanly', async () => {
    const { term, url } = await startLiveView([], 120);
    await runInProcess(['trigger', 'verification.failed', '--product', 'voters-card', '--to', url]);
    await term.waitFor((s) => s.includes('deliveries 1'), 'one delivery');
    term.resize(60);
    const narrow = await term.waitFor(
      (s) => s.split('\n').some((l) => /verifica\S*failed\s+NOT-VERIFIED 01/.test(l)) && !s.includes('ref '),
      'the narrow layout',
    );
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(narrow.split('\n').filter((l) => /verifica\S*failed/.test(l))).toHaveLength(1);
    // no stale copy of the wider header stays above the view after the resize
    expect(narrow.split('\n').filter((l) => l.startsWith('idpass listen'))).toHaveLength(1);
    term.keys('C-c');
    const end = await term.waitFor((s) => s.includes('EXIT='), 'the exit');
    expect(end).toContain('EXIT=0');
  }, 40_000);

  // What a person reads at each width: the essentials (event, result, signature, app) always,
  // optional columns as room allows, the event name whole from 140 columns.
  it('the details pane wraps a long line at 80 columns instead of cutting it: the signature explanation stays whole', async () => {
    const { term, url } = await startLiveView([], 80);
    await runInProcess(['trigger', 'workflow.process.completed', '--to', url]);
    await term.waitFor((s) => s.includes('workflow.process'), 'the row');
    term.keys('Enter');
    const screen = await term.waitFor((s) => s.includes('Signature'), 'the details');
    const joined = screen
      .split('\n')
      .map((l) => l.trim())
      .join(' ');
    expect(joined).toMatch(/✔ valid \(prembly-hmac, live key\): HMAC-SHA256 of the body matches the live public key/);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    term.keys('q');
    await term.waitFor((s) => s.includes('EXIT='), 'the exit');
  }, 40_000);

  // the flags come before the time, and the event name is as wide as the longest one on screen (never padded)
  it.each([
    [60, /verifica\S*failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms/, ['time', 'flags'], []],
    [80, /verification\.failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms/, ['time'], ['flags']],
    [90, /\d\d:\d\d:\d\d verification\.failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms/, ['ref'], ['flags']],
    [100, /\d\d:\d\d:\d\d verification\.failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms/, ['product'], ['flags', 'ref']],
    [120, /\d\d:\d\d:\d\d verification\.failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms\s+\S{8} Voters Card/, [], ['flags']],
    [200, /\d\d:\d\d:\d\d verification\.failed\s+NOT-VERIFIED 01\s+✔ hmac\s+200 \d+ms\s+\S{8} Voters Card/, [], ['flags']],
  ] as const)(
    'at %i columns shows %s and nothing wider than the terminal',
    async (width, row, absent, present) => {
      const { term, url } = await startLiveView([], width);
      await runInProcess(['trigger', 'verification.failed', '--product', 'voters-card', '--to', url]);
      const screen = await term.waitFor((s) => row.test(s), `the row at ${width} columns`);
      for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      const titles = screen.split('\n').find((l) => /^\s+(time\s+)?event\s+result/.test(l)) ?? '';
      for (const column of absent) expect(titles).not.toMatch(new RegExp(`\\b${column}\\b`));
      for (const column of present) expect(titles).toMatch(new RegExp(`\\b${column}\\b`));
      expect(screen.split('\n').filter((l) => l.startsWith('idpass listen'))).toHaveLength(1);
      term.keys('q');
      await term.waitFor((s) => s.includes('EXIT='), 'the exit');
    },
    40_000,
  );
});

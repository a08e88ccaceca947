import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { Terminal } from '../helpers/tmux.js';
import { KEYS, startHandler, type Handler, type HandlerKind } from '../helpers/handlers.js';
import { freePort } from '../helpers/receiver.js';
import { POSTED_KINDS } from '../helpers/prembly-doc.js';

/** `idpass doctor` (the built bin) against handlers written the ways real ones are, right and wrong. */

let handlers: Handler[] = [];
afterEach(async () => {
  for (const h of handlers) await h.close();
  handlers = [];
});

async function handler(kind: HandlerKind): Promise<Handler> {
  const h = await startHandler(kind);
  handlers.push(h);
  return h;
}

interface CheckLine {
  id: string;
  verdict: 'pass' | 'fail' | 'warn' | 'skip';
  required: boolean;
  got: string;
  fix: string | null;
  prembly: string | null;
  status: number | null;
  timing?: { p50: number; p95: number; samples: number };
}

async function doctorJson(url: string, args: string[] = []) {
  const res = await runInProcess(['doctor', url, '--json', '--samples', '5', ...args], { timeoutMs: 60_000 });
  const lines = jsonLines(res.stdout);
  const summary = lines.at(-1)?.summary as { passed: number; failed: number; warnings: number; ok: boolean } | undefined;
  const checks = lines.slice(0, -1) as unknown as CheckLine[];
  const verdicts = Object.fromEntries(checks.map((c) => [c.id, c.verdict]));
  return { ...res, checks, summary, verdicts, check: (id: string) => checks.find((c) => c.id === id)! };
}

describe('idpass doctor', () => {
  it('passes a correct handler on every check, with the state URL showing it handles each delivery once', async () => {
    const h = await handler('correct');
    const res = await doctorJson(h.url, ['--state-url', `http://127.0.0.1:${h.port}/state/{reference}`]);
    expect(res.stderr).toMatch(/idpass doctor → http:\/\/127\.0\.0\.1:\d+\/webhooks\/identitypass/);
    const notPassed = res.checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.got} ${c.fix}`);
    expect(notPassed).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.summary).toMatchObject({ failed: 0, warnings: 0, ok: true });
    // every kind Prembly sends, the legacy schemes, five forgeries and the rest
    expect(
      res.checks
        .filter((c) => c.id.startsWith('genuine.'))
        .map((c) => c.id.slice('genuine.'.length))
        .sort(),
    ).toEqual([...POSTED_KINDS].sort());
    expect(res.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'schemes.identitypass',
        'forgery.reserialised',
        'raw-bytes',
        'duplicates.same-token',
        'order.concurrent',
        'size',
        'speed',
      ]),
    );
    expect(res.check('speed').timing?.samples).toBe(5);
  }, 60_000);

  it('a handler that knows only the original static signature: every genuine delivery fails, with the HMAC fix', async () => {
    const h = await handler('static-only');
    const res = await doctorJson(h.url);
    expect(res.code).toBe(1);
    expect(res.verdicts['genuine.verification.completed']).toBe('fail');
    expect(res.check('genuine.verification.completed').fix).toMatch(/HMAC-SHA256\(raw body bytes/);
    expect(res.check('genuine.workflow.process.completed').fix).toMatch(/live key even from sandbox/);
    expect(res.verdicts['schemes.identitypass']).toBe('warn'); // it accepts the static scheme
    expect(res.check('schemes.identitypass').fix).toMatch(/anyone who has seen the public key/);
  }, 60_000);

  it('a handler with a hex HMAC under a secret Prembly never issues, answering 202: refused deliveries, what Prembly does', async () => {
    const h = await handler('wrong-hmac');
    const res = await doctorJson(h.url, ['--only', 'genuine']);
    expect(res.code).toBe(1);
    expect(res.checks.every((c) => c.verdict === 'fail')).toBe(true);
    expect(res.check('genuine.verification.completed').prembly).toMatch(/never sends it again/);
    expect(res.check('genuine.sdk.session.completed').prembly).toMatch(/up to 5 attempts within 24 h/);
  }, 60_000);

  it('a handler that answers 202: fails where Prembly needs exactly 200, passes workflow runs (any 2xx)', async () => {
    const h = await handler('answers-202');
    const res = await doctorJson(h.url, ['--only', 'genuine']);
    expect(res.code).toBe(1);
    expect(res.verdicts['genuine.verification.completed']).toBe('fail');
    expect(res.check('genuine.verification.completed').fix).toMatch(/answer exactly 200/);
    expect(res.verdicts['genuine.workflow.process.completed']).toBe('pass');
  }, 60_000);

  it('a non-idempotent handler: with --state-url the duplicate shows as processed twice', async () => {
    const h = await handler('non-idempotent');
    const res = await doctorJson(h.url, ['--only', 'duplicates', '--state-url', `http://127.0.0.1:${h.port}/state/{reference}`]);
    expect(res.code).toBe(1);
    expect(res.verdicts['duplicates.same-token']).toBe('fail');
    expect(res.check('duplicates.same-token').fix).toMatch(/processed twice/);
    expect(res.check('duplicates.same-token').got).toMatch(/"handled":1.*→.*"handled":2/);
    // without the state URL the same handler passes, with a note saying what would show it
    const blind = await doctorJson(h.url, ['--only', 'duplicates.same-token']);
    expect(blind.verdicts['duplicates.same-token']).toBe('pass');
    expect(blind.check('duplicates.same-token').fix).toMatch(/--state-url/);
  }, 60_000);

  it('a re-serialising verifier: passes compact deliveries, is caught by raw-bytes and the re-serialised forgery', async () => {
    const h = await handler('reserialising');
    const res = await doctorJson(h.url, ['--only', 'genuine.verification.completed,raw-bytes,forgery']);
    expect(res.verdicts['genuine.verification.completed']).toBe('pass');
    expect(res.verdicts['raw-bytes']).toBe('fail');
    expect(res.check('raw-bytes').fix).toMatch(/verifies a re-serialised body/);
    expect(res.verdicts['forgery.reserialised']).toBe('fail');
    expect(res.code).toBe(1);
  }, 60_000);

  it('--json names its two times: the check as a whole (checkMs) and the handler’s answer (answerMs)', async () => {
    const h = await handler('correct');
    const res = await doctorJson(h.url, ['--only', 'genuine.verification.completed']);
    const line = res.checks[0] as unknown as { ms: number; checkMs: number; answerMs: number };
    expect(line.checkMs).toBe(line.ms);
    expect(line.answerMs).toBeTypeOf('number');
    expect(line.answerMs).toBeLessThanOrEqual(line.checkMs);
  }, 60_000);

  it('raw-bytes names re-serialising only when proven: a raw-bytes verifier holding another key is told about the key', async () => {
    const h = await handler('correct');
    // the handler holds idpass's built-in keys; doctor signs with the user's own, which the handler lacks
    const res = await doctorJson(h.url, ['--only', 'raw-bytes', '--public-key', 'test_pk_someone0elses0key0abc123']);
    expect(res.verdicts['raw-bytes']).toBe('fail');
    const fix = res.check('raw-bytes').fix;
    expect(fix).not.toMatch(/verifies a re-serialised body/);
    expect(fix).toMatch(
      /refused the same delivery written plainly too \(401\), so this is not about re-serialising: it was signed with your sandbox key/,
    );
    // the same handler given the key it holds passes
    const right = await doctorJson(h.url, ['--only', 'raw-bytes', '--public-key', KEYS.sandbox, '--live-public-key', KEYS.live]);
    expect(right.verdicts['raw-bytes']).toBe('pass');
  }, 60_000);

  it('a slow handler: answers past --timeout fail with the advice to answer first', async () => {
    const h = await handler('slow');
    const res = await doctorJson(h.url, ['--only', 'genuine.verification.completed,speed', '--timeout', '1s', '--samples', '2']);
    expect(res.code).toBe(1);
    expect(res.check('genuine.verification.completed').got).toMatch(/no complete reply/);
    expect(res.check('genuine.verification.completed').fix).toMatch(
      /answer within 1\.0 s: record the delivery, answer 200, then do the slow work/,
    );
    expect(res.verdicts.speed).toBe('fail');
  }, 60_000);

  it('a redirecting handler: workflow runs fail (Prembly follows no redirect there), direct results pass', async () => {
    const h = await handler('redirecting');
    const res = await doctorJson(h.url, ['--only', 'genuine']);
    expect(res.verdicts['genuine.workflow.process.completed']).toBe('fail');
    expect(res.check('genuine.workflow.process.completed').fix).toMatch(/follows no redirect/);
    expect(res.verdicts['genuine.verification.completed']).toBe('pass');
    expect(res.code).toBe(1);
  }, 60_000);

  it('a handler with a 100 kb body limit fails the size check with the limit to set', async () => {
    const h = await handler('small-limit');
    const res = await doctorJson(h.url, ['--only', 'size']);
    expect(res.verdicts.size).toBe('fail');
    expect(res.check('size').fix).toMatch(/10 MB/);
  }, 60_000);

  it('prints a card on a terminal-less run, writes JUnit XML CI systems read, and --strict fails on warnings', async () => {
    const h = await handler('static-only');
    const dir = mkdtempSync(join(tmpdir(), 'idpass-doctor-'));
    const file = join(dir, 'doctor.xml');
    const res = await runInProcess([
      'doctor',
      h.url,
      '--only',
      'genuine.verification.completed,schemes,forgery.wrong-key',
      '--junit',
      file,
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/✘ genuine\.verification\.completed {2}401 in/);
    expect(res.stdout).toMatch(/ {6}fix {6}it refused a correctly signed delivery/);
    expect(res.stdout).toMatch(/! schemes\.identitypass/);
    expect(res.stdout).toMatch(/4 checks: 2 passed · 1 failed · 1 warning in .* · not ready: fix the failures above/);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="idpass doctor" tests="4" failures="1" errors="0" skipped="0"/,
    );
    expect(xml).toMatch(
      /<testcase classname="idpass\.doctor\.schemes" name="schemes\.identitypass" time="[\d.]+">\n {6}<system-out>warning: /,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toMatch(
      /<testcase classname="idpass\.doctor\.genuine" name="genuine\.verification\.completed" time="[\d.]+">\n {6}<failure message="it refused/,
    );
    expect(xml).toMatch(/<\/testsuite>\n<\/testsuites>\n$/);
    // a correct handler with the legacy schemes refused: 0, and still 0 under --strict
    const good = await handler('correct');
    expect((await runInProcess(['doctor', good.url, '--only', 'schemes,forgery', '--strict'])).code).toBe(0);
    // warnings alone pass, and fail under --strict
    expect((await runInProcess(['doctor', h.url, '--only', 'schemes'])).code).toBe(0);
    expect((await runInProcess(['doctor', h.url, '--only', 'schemes', '--strict'])).code).toBe(1);
    // the report never follows a link planted at its path
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'untouched');
    symlinkSync(target, join(dir, 'planted.xml'));
    const planted = await runInProcess(['doctor', h.url, '--only', 'schemes', '--junit', join(dir, 'planted.xml')]);
    expect(planted.code).toBe(2);
    expect(planted.stderr).toMatch(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  }, 60_000);

  it('exit 3 when nothing listens, 2 for an unknown check with the closest names, --list names every check', async () => {
    const port = await freePort();
    const refused = await runInProcess(['doctor', `:${port}/hook`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/cannot reach the handler: .*connection refused/);
    const unknown = await runInProcess(['doctor', `:${port}/hook`, '--only', 'forgery.wrongkey']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"forgery\.wrongkey" names no check; did you mean forgery\.wrong-key/);
    const list = await runInProcess(['doctor', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^genuine\.verification\.completed +accepts a genuine verification\.completed$/m);
    expect(list.stdout).toMatch(/^forgery\.missing-token +refuses a delivery with no token header \(advisory\)$/m);
    const none = await runInProcess(['doctor']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/which handler\?/);
  });

  it('--events narrows the genuine checks to the kinds named; kinds Prembly never POSTs are refused', async () => {
    const h = await handler('correct');
    const res = await doctorJson(h.url, ['--events', 'workflow.*', '--only', 'genuine']);
    expect(res.checks.map((c) => c.id)).toEqual([
      'genuine.workflow.process.completed',
      'genuine.workflow.process.failed',
      'genuine.workflow.process.manual_review',
    ]);
    const refused = await runInProcess(['doctor', h.url, '--events', 'verification.failed']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/names only kinds Prembly does not POST/);
  });

  it('in a real terminal (tmux): a progress line while checks run, gone once the card is complete', async () => {
    if (!Terminal.available()) throw new Error('tmux is needed (.ci/run installs it)');
    const h = await handler('slow');
    const term = new Terminal(120, 40);
    try {
      const q = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
      term.start(
        `env -u CI NO_COLOR=1 ${q(process.execPath)} ${q(BIN)} doctor ${q(h.url)} --timeout 8s --only genuine.verification.completed,genuine.verification.retry.completed; echo "EXIT=$?"`,
      );
      const during = await term.waitFor(
        (s) => /checking 2\/2 genuine\.verification\.retry\.completed…/.test(s),
        'the progress line for the second check',
      );
      expect(during).toMatch(/✔ genuine\.verification\.completed +200 in 1\.\d s/);
      const after = await term.waitFor((s) => s.includes('EXIT='), 'the end of the run');
      expect(after).not.toMatch(/checking \d/);
      expect(after).toMatch(/2 checks: 2 passed · 0 failed · 0 warnings in [\d.]+s · ready for Prembly/);
      expect(after).toMatch(/EXIT=0/);
    } finally {
      term.kill();
    }
  }, 30_000);

  it('a hostile handler: escape sequences, a 2 MB reply and a huge, deeply nested state never reach the output raw or whole', async () => {
    let gets = 0;
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'GET') return res.writeHead(200).end(gets++ % 2 ? deep : `${'x'.repeat(60_000)}\u001b[2J\u001b]0;pwned\u0007`);
        if (req.url === '/boom')
          return res.writeHead(500).end(`\u001b[31mBOOM\u001b[0m \u001b]0;title\u0007 \u202e${'A'.repeat(2_000_000)}`);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'idpass-doctor-hostile-'));
      const boom = await runInProcess([
        'doctor',
        `:${port}/boom`,
        '--only',
        'genuine.verification.completed',
        '--junit',
        join(dir, 'r.xml'),
      ]);
      const boomJson = await runInProcess(['doctor', `:${port}/boom`, '--only', 'genuine.verification.completed', '--json']);
      const state = await runInProcess([
        'doctor',
        `:${port}/ok`,
        '--only',
        'duplicates.same-token',
        '--state-url',
        `:${port}/state/{reference}`,
      ]);
      for (const text of [boom.stdout, boom.stderr, boomJson.stdout, state.stdout, readFileSync(join(dir, 'r.xml'), 'utf8')]) {
        expect(text).not.toMatch(/[\u001b\u0007\u202e]/);
        expect(text.length).toBeLessThan(5_000);
      }
      expect(boom.stdout).toMatch(/500 in \d+ ms: ␛\[31mBOOM␛\[0m/);
      expect(state.stdout).toMatch(/its state changed: 200 x+… \(60,\d{3} characters\) → /);
      expect(state.stdout).toMatch(/^1 check: 0 passed · 1 failed/m);
    } finally {
      server.close();
    }
  }, 30_000);
});

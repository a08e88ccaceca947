import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LoadSummary } from '../../src/core/trigger/load.js';
import { BIN, jsonLines } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run-command.js';
import { Terminal } from '../helpers/tmux.js';
import { freePort } from '../helpers/receiver.js';
import { testScope } from '../helpers/scope.js';

/** `idpass trigger --count`: the built bin as a load generator against a loopback receiver. */
const scope = testScope();
const SANDBOX = 'test_pk_idpass0sandbox0key0not0for0production';
const LIVE = 'live_pk_idpass0stand0in0live0key0not0real';
const valid = (body: Buffer, signature: unknown) =>
  [SANDBOX, LIVE].some((key) => createHmac('sha256', key).update(body).digest('base64') === signature);

type Summary = LoadSummary;

describe('trigger --count', () => {
  it('2000 deliveries, 50 at a time: 2000 distinct tokens and references, every signature valid, the summary agrees', async () => {
    const app = await scope.receiver();
    const res = await runInProcess(
      ['trigger', 'verification.completed', '--count', '2000', '--concurrency', '50', '--to', app.url, '--json'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(res.code).toBe(0);
    const summary = (jsonLines(res.stdout).at(-1) as { summary: Summary }).summary;
    expect(summary).toMatchObject({ units: 2000, sent: 2000, expected: 2000, unexpected: 0, byStatus: { 200: 2000 }, errors: {} });
    expect(summary.latency.p50).toBeGreaterThan(0);
    expect(summary.latency.max).toBeGreaterThanOrEqual(summary.latency.p99);
    expect(app.received).toHaveLength(2000);
    expect(new Set(app.received.map((r) => r.headers.token)).size).toBe(2000);
    const references = app.received.map(
      (r) => (JSON.parse(r.body.toString()) as { verification: { reference: string } }).verification.reference,
    );
    expect(new Set(references).size).toBe(2000);
    expect(app.received.filter((r) => !valid(r.body, r.headers['x-prembly-signature']))).toEqual([]);
  }, 60_000);

  it('mixes kinds and products, sends pending → final pairs, and counts what was not answered as expected (exit 1)', async () => {
    let n = 0;
    const app = await scope.receiver(() => ({ status: ++n % 10 === 0 ? 500 : 200, body: '{}' }));
    const res = await runInProcess(
      [
        'trigger',
        '--events',
        'verification.completed,workflow.process.completed',
        '--product',
        'bvn,nin,face',
        '--count',
        '60',
        '--concurrency',
        '4',
        '--to',
        app.url,
      ],
      { timeoutMs: 30_000 },
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^60 deliveries in [\d.]+s: [\d.]+\/s$/m);
    expect(res.stdout).toMatch(/answered as expected 54 · not 6 · 200 ×54 · 500 ×6/);
    expect(res.stdout).toMatch(/first failure: \S+ \(single\) expected (200|2xx), got 500/);
    const events = app.received.map((r) => (JSON.parse(r.body.toString()) as { event?: string }).event ?? 'direct');
    expect(events.filter((e) => e === 'workflow.process.completed')).toHaveLength(30);
    const products = new Set(
      app.received.map((r) => (JSON.parse(r.body.toString()) as { endpoint_name?: string }).endpoint_name).filter(Boolean),
    );
    expect(products.size).toBe(3);

    const pairs = await scope.receiver();
    const paired = await runInProcess([
      'trigger',
      'verification.completed',
      '--pending-first',
      '--delay',
      '1ms',
      '--count',
      '20',
      '--to',
      pairs.url,
      '--json-each',
    ]);
    expect(paired.code).toBe(0);
    const lines = jsonLines(paired.stdout);
    expect(lines).toHaveLength(41); // 40 deliveries, then the summary
    expect(pairs.received).toHaveLength(40);
    expect((lines.at(-1) as { summary: Summary }).summary).toMatchObject({ units: 20, sent: 40, expected: 40 });
  }, 60_000);

  it('--rate paces the deliveries; nothing listening is exit 3; load flags without --count are refused', async () => {
    const app = await scope.receiver();
    const started = Date.now();
    const paced = await runInProcess(['trigger', 'verification.completed', '--count', '10', '--rate', '20/s', '--to', app.url]);
    expect(paced.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450); // the tenth may start 450 ms after the first
    const port = await freePort();
    const refused = await runInProcess(['trigger', 'verification.completed', '--count', '5', '--to', `:${port}/hook`]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/no answer: refused ×5/);
    const alone = await runInProcess(['trigger', 'verification.completed', '--concurrency', '5', '--to', app.url]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--concurrency is for load runs/);
    const mix = await runInProcess(['trigger', 'verification.completed', '--product', 'bvn,nin', '--to', app.url]);
    expect(mix.code).toBe(2);
  }, 30_000);

  it('in a real terminal (tmux): a progress bar while it runs, replaced by the summary', async () => {
    if (!Terminal.available()) throw new Error('tmux is needed (.ci/run installs it)');
    const app = await scope.receiver();
    const term = new Terminal(120, 20);
    scope.defer(() => term.kill());
    const q = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
    term.start(
      `env -u CI NO_COLOR=1 ${q(process.execPath)} ${q(BIN)} trigger verification.completed --count 1500 --rate 500/s --to ${q(app.url)}; echo "EXIT=$?"`,
    );
    const during = await term.waitFor((s) => /\[█*░+\] \d+\/1500 · \d+\/s · 0 failures · [\d.]+s/.test(s), 'the progress bar');
    expect(during).toMatch(/Sending 1500 × verification\.completed/);
    const after = await term.waitFor((s) => s.includes('EXIT='), 'the end', 20_000);
    expect(after).not.toMatch(/░/);
    expect(after).toMatch(/^1500 deliveries in [\d.]+s: [\d.]+\/s$/m);
    expect(after).toMatch(/EXIT=0/);
  }, 30_000);
});

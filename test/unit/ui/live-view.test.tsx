import '../../helpers/force-color.js';
import { wrapLines } from '../../../src/ui/components/detail-pane.js';
import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/core/delivery/types.js';
import type { ListenSessionFact } from '../../../src/core/receive/facts.js';
import { layoutColumns, LiveView, type LiveViewProps } from '../../../src/ui/live-view.js';
import { fitMiddle } from '../../../src/ui/components/columns.js';
import { makeDelivery, notVerified, pending, verified } from '../../helpers/deliveries.js';

const ESC = '\u001B';
const UP = `${ESC}[A`;
const DOWN = `${ESC}[B`;
const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

let unmounts: (() => void)[] = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});

function mount(overrides: Partial<LiveViewProps> = {}, columns?: number) {
  const bus = new EventEmitter();
  const quits: number[] = [];
  const replayed: Delivery[] = [];
  const props: LiveViewProps = {
    header: {
      local: 'http://127.0.0.1:4567',
      forward: 'http://127.0.0.1:3000/hook',
      key: 'built-in test key',
      scheme: 'any scheme',
      store: '/tmp/x/deliveries.ndjson',
    },
    initialTunnel: { state: 'off' },
    subscribe: (onFact) => {
      bus.on('fact', onFact);
      return () => bus.off('fact', onFact);
    },
    replay: async (d) => {
      replayed.push(d);
      return {
        ...d,
        id: `${d.id}-replay`,
        replayOf: d.id,
        forward: {
          url: 'http://127.0.0.1:3000/hook',
          status: 200,
          answered: true,
          ms: 3,
          contentType: null,
          body: Buffer.from('ok'),
          preview: 'ok',
          error: null,
          verdict: 'delivered' as const,
        },
        answerStatus: 200,
      };
    },
    onQuit: () => quits.push(1),
    color: true,
    showPii: false,
    batchMs: 10,
    ...overrides,
  };
  const view = render(<LiveView {...props} />);
  unmounts.push(view.unmount);
  if (columns !== undefined) {
    // the test terminal is 100 columns wide; make it another width, as a resize would
    Object.defineProperty(view.stdout, 'columns', { value: columns, configurable: true });
    view.stdout.emit('resize');
  }
  const send = async (...facts: ListenSessionFact[]) => {
    for (const f of facts) bus.emit('fact', f);
    await tick();
  };
  const deliver = (...ds: Delivery[]) => send(...ds.map((delivery) => ({ type: 'completed' as const, delivery })));
  const press = async (keys: string) => {
    view.stdin.write(keys);
    await tick();
  };
  // ANSI codes are not part of what a person reads
  const screen = () => (view.lastFrame() ?? '').replace(/\u001B\[[0-9;]*m/g, '');
  return { view, send, deliver, press, screen, quits, replayed };
}

describe('LiveView', () => {
  it('shows how to send a first delivery while waiting', async () => {
    const { screen, send } = mount({ initialTunnel: { state: 'connecting', host: 'https://localtunnel.me' } });
    await tick();
    expect(screen()).toContain('Waiting for deliveries');
    expect(screen()).toContain('npx idpass trigger verification.completed --to http://127.0.0.1:4567/webhook');
    await send({ type: 'tunnel-up', url: 'https://abc.loca.lt', subdomainRequested: null, subdomainGranted: true });
    expect(screen()).toContain('https://abc.loca.lt/webhook');
    expect(screen()).toContain('It is public');
  });

  it('draws a row per result kind with its colour', async () => {
    const { deliver, screen, view } = mount();
    const bad = makeDelivery(verified('ref-bad'), { key: 'test_pk_wrong0key0entirely0x' });
    await deliver(makeDelivery(verified()), makeDelivery(notVerified()), makeDelivery(pending()), bad);
    const text = screen();
    expect(text).toMatch(/verification\.completed\s+VERIFIED 00\s+✔ hmac/);
    expect(text).toMatch(/verification\.failed\s+NOT-VERIFIED 01/);
    expect(text).toMatch(/verification\.pending\s+PENDING 02/);
    expect(text).toMatch(/✘ mismatch/);
    expect(text).toContain('deliveries 4');
    expect(text).toContain('invalid signatures 1');
    const raw = view.lastFrame()!;
    expect(raw).toMatch(/\u001B\[32m\s*VERIFIED 00/); // green
    expect(raw).toMatch(/\u001B\[31m\s*NOT-VERIFIED 01/); // red
    expect(raw).toMatch(/\u001B\[33m\s*PENDING 02/); // yellow
  });

  it('shows the header in each tunnel state', async () => {
    const { send, screen } = mount({ initialTunnel: { state: 'connecting', host: 'https://localtunnel.me' } });
    await tick();
    expect(screen()).toContain('tunnel connecting to https://localtunnel.me');
    await send({ type: 'tunnel-unavailable', cause: 'cannot resolve localtunnel.me', retryInMs: 250, attempt: 1 });
    expect(screen()).toMatch(/local only: tunnel unavailable since \d\d:\d\d:\d\d, retrying\n\s+cannot resolve localtunnel\.me/);
    await send({ type: 'tunnel-up', url: 'https://abc.loca.lt', subdomainRequested: null, subdomainGranted: true });
    expect(screen()).toContain('● public https://abc.loca.lt');
    await send({ type: 'tunnel-down', url: 'https://abc.loca.lt', cause: 'connection refused' });
    expect(screen()).toMatch(/tunnel reconnecting since \d\d:\d\d:\d\d; the local listener keeps serving\n\s+connection refused/);
    await send({
      type: 'tunnel-restored',
      url: 'https://abc.loca.lt',
      previousUrl: 'https://abc.loca.lt',
      urlChanged: false,
      downtimeMs: 2100,
    });
    expect(screen()).toContain('● public https://abc.loca.lt');
    expect(screen()).toContain('tunnel restored after 2.1s');

    const off = mount({ initialTunnel: { state: 'off' } });
    await tick();
    expect(off.screen()).toContain('local only (--no-tunnel)');
  });

  it('moves with arrows and j/k, opens details with Enter and closes with Esc', async () => {
    const { deliver, press, screen } = mount();
    await deliver(makeDelivery(verified('ref-first')), makeDelivery(notVerified()));
    await press(UP);
    expect(screen()).toMatch(/› .*verification\.completed/);
    await press('j');
    expect(screen()).toMatch(/› .*verification\.failed/);
    await press('k');
    await press('\r');
    const detail = screen();
    expect(detail).toContain('Signature');
    expect(detail).toContain('✔ valid (prembly-hmac');
    expect(detail).toContain('reference ref-first');
    expect(detail).toContain('x-prembly-signature:');
    expect(detail).toContain('"bvn": "•••••••••01"');
    expect(detail).not.toContain('22200000001');
    for (let i = 0; i < 40; i++) await press('j');
    expect(screen()).toContain('App reply');
    expect(screen()).toContain('not forwarded');
    await press(ESC);
    await tick(100);
    expect(screen()).toMatch(/› .*verification\.completed/);
    await press(DOWN);
    expect(screen()).toMatch(/› .*verification\.failed/);
  });

  it('reveals PII in details with showPii', async () => {
    const { deliver, press, screen } = mount({ showPii: true });
    await deliver(makeDelivery(verified()));
    await press('\r');
    expect(screen()).toContain('"bvn": "22200000001"');
  });

  it('replays the selected delivery as a new row marked replay', async () => {
    const { deliver, press, screen, replayed } = mount();
    const original = makeDelivery(verified());
    await deliver(original);
    await press('r');
    await tick();
    expect(replayed).toEqual([original]);
    expect(screen()).toMatch(/verification\.completed.*replay/);
    expect(screen()).toContain(`replayed ${original.id}: the app answered 200`);
  });

  it('says why a replay could not happen', async () => {
    const { deliver, press, screen } = mount({
      replay: async () => Promise.reject(new Error('nothing to replay to: start idpass listen with --forward-to <your app>')),
    });
    await deliver(makeDelivery(verified()));
    await press('r');
    await tick();
    expect(screen()).toContain('nothing to replay to');
  });

  it('clears the view with c, shows help with ?, and quits with q', async () => {
    const { deliver, press, screen, quits } = mount();
    await deliver(makeDelivery(verified()));
    await press('c');
    expect(screen()).toContain('Waiting for deliveries');
    expect(screen()).toContain('view cleared');
    await press('?');
    expect(screen()).toContain('replay the selected delivery');
    await press('q');
    expect(quits).toHaveLength(1);
  });

  it('quits with ctrl-c too', async () => {
    const { press, quits } = mount();
    await tick();
    await press('\u0003');
    expect(quits).toHaveLength(1);
  });

  it('draws no colour codes without colour (NO_COLOR)', async () => {
    const { deliver, view } = mount({ color: false });
    await deliver(makeDelivery(verified()), makeDelivery(notVerified()));
    expect(view.lastFrame()).not.toMatch(/\u001B\[3\dm/);
  });

  it('batches a burst of deliveries into few renders', async () => {
    const { send, view, screen } = mount({ batchMs: 50 });
    await tick();
    const before = view.frames.length;
    await send(...Array.from({ length: 100 }, () => ({ type: 'completed' as const, delivery: makeDelivery(verified()) })));
    await tick(120);
    expect(screen()).toContain('deliveries 100');
    expect(view.frames.length - before).toBeLessThan(10);
  });
});

describe('LiveView header', () => {
  it('shows a long tunnel failure cause whole, wrapped onto lines of its own, at any width', async () => {
    const cause =
      'cannot reach the tunnel server https://localtunnel.me: cannot resolve localtunnel.me (getaddrinfo EAI_AGAIN): the machine looks offline';
    for (const columns of [60, 80, 100, 140, 200]) {
      const { send, screen } = mount({ initialTunnel: { state: 'connecting', host: 'https://localtunnel.me' } }, columns);
      await send({ type: 'tunnel-unavailable', cause, retryInMs: 250, attempt: 1 });
      const text = screen();
      expect(text.replace(/\s+/g, ' ')).toContain(cause);
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(columns);
    }
  });
});

describe('LiveView keys', () => {
  it('takes a burst of letter keys typed at once, each as its own press', async () => {
    const { deliver, press, screen } = mount();
    await deliver(
      makeDelivery(verified('r-1')),
      makeDelivery(verified('r-2')),
      makeDelivery(verified('r-3')),
      makeDelivery(verified('r-4')),
    );
    await press('g');
    expect(screen()).toMatch(/› .*verification\.completed/);
    const first = screen()
      .split('\n')
      .findIndex((l) => l.startsWith('›'));
    await press('jjj');
    const after = screen()
      .split('\n')
      .findIndex((l) => l.startsWith('›'));
    expect(after - first).toBe(3);
  });

  it('shows the keys of the pane it is in', async () => {
    const { deliver, press, screen } = mount();
    await deliver(makeDelivery(verified()));
    expect(screen()).toContain('enter details');
    await press('\r');
    expect(screen()).toContain('enter or esc back to the list');
    expect(screen()).not.toContain('c clear');
    await press('?');
    expect(screen()).toContain('esc or ? close help');
  });

  it('shows the outcome of kinds without an identity result instead of a dash', async () => {
    const { deliver, screen } = mount();
    await deliver(makeDelivery({ event: 'workflow.process.manual_review', data: { reference: 'w' } }));
    expect(screen()).toMatch(/workflow\.process\.manual_review\s+manual review/);
  });
});

describe('LiveView safety', () => {
  it('warns from the start when bound to an address other machines can reach', async () => {
    const { screen } = mount({ notice: 'bound to 0.0.0.0: other machines on your network can reach this listener' });
    await tick();
    expect(screen()).toContain('warning: bound to 0.0.0.0');
  });

  it('shows control characters from the wire as escapes, never raw', async () => {
    const { deliver, press, screen } = mount();
    await deliver(makeDelivery({ ...verified('ref\u001b]0;pwned\u0007'), endpoint_name: 'BVN\u001b[2J' }));
    await press('\r');
    const text = screen();
    expect(text).toContain('␛]0;pwned');
    expect(text).not.toMatch(/\u001b\]0;|\u0007|\u001b\[2J/);
  });
});

describe('column layout', () => {
  it('cuts a long event name in the middle, keeping both ends', () => {
    expect(fitMiddle('verification.payment_retry.completed', 20)).toBe('verificati…completed');
    expect(fitMiddle('short', 20)).toBe('short'.padEnd(20));
  });

  it('drops columns on narrow terminals instead of wrapping', () => {
    const ids = (w: number) => layoutColumns(w).map((c) => c.column.id);
    expect(ids(200)).toEqual(['time', 'event', 'result', 'sig', 'forward', 'flags', 'ref', 'product']);
    // the longest catalog name on screen takes the width the flags would need
    expect(ids(80)).toEqual(['event', 'result', 'sig', 'forward']);
    // the app's answer stays at 70 and 60: the event name gives up width first
    expect(ids(70)).toEqual(['event', 'result', 'sig', 'forward']);
    expect(ids(60)).toEqual(['event', 'result', 'sig', 'forward']);
    expect(ids(50)).toEqual(['event', 'result', 'sig']);
    const eventWidth = (w: number) => layoutColumns(w).find((c) => c.column.id === 'event')!.width;
    // at 140 and wider the longest event name fits whole
    expect(eventWidth(140)).toBe(36);
    expect(eventWidth(60)).toBeGreaterThanOrEqual(14);
    for (const w of [40, 50, 60, 80, 100, 120]) {
      const used = layoutColumns(w).reduce((sum, c) => sum + c.width, 0) + layoutColumns(w).length - 1 + 2;
      expect(used).toBeLessThanOrEqual(Math.max(w, 2 + 8 + 1 + 15));
    }
  });

  it('keeps the flags and the event names on screen whole when there is room: the event column is as wide as its longest name', () => {
    const layout = (w: number, longest: number) => Object.fromEntries(layoutColumns(w, longest).map((c) => [c.column.id, c.width]));
    // verification.completed (22) at 80: the flags fit beside it
    expect(layout(80, 22)).toMatchObject({ event: 22, flags: 12 });
    // verification.retry.completed (28) at 90: whole, with the flags
    expect(layout(90, 28)).toMatchObject({ event: 28, flags: 12 });
    // at 120 the event name is whole before the reference and product come in; never padded past the longest name
    expect(layout(120, 28)).toMatchObject({ event: 28, flags: 12, time: 8, ref: 8 });
    expect(layout(200, 22).event).toBe(22);
    expect(layout(200, 36).event).toBe(36);
  });

  it('the details pane wraps a long line under its indent instead of cutting it', () => {
    const text = `  ✔ valid (prembly-hmac, live key): ${'word '.repeat(40)}end`;
    const wrapped = wrapLines([{ text, tone: 'good' }], 80);
    expect(wrapped.length).toBeGreaterThan(1);
    expect(wrapped.every((l) => l.text.length <= 80)).toBe(true);
    expect(wrapped.map((l) => l.text.trim()).join(' ')).toBe(text.trim());
    expect(wrapped.slice(1).every((l) => l.text.startsWith('    '))).toBe(true);
  });

  it('a row whose large body was let go of reads it back when its details open, and lets go again when they close', async () => {
    const whole = makeDelivery(verified('ref-large'));
    const released: Delivery = { ...whole, body: null, json: undefined, bodyReleased: true };
    const loads: string[] = [];
    // wide enough that no detail line wraps: the body's first lines stay on the first screen
    const { deliver, press, screen } = mount(
      {
        load: async (d) => {
          loads.push(d.id);
          return whole;
        },
      },
      160,
    );
    await deliver(released);
    await press('\r');
    await tick(50);
    expect(loads).toEqual([whole.id]);
    expect(screen()).toContain('ref-large');
    expect(screen()).toContain('"status": "VERIFIED"');
    await press(`${ESC}`);
    await tick(50);
    await press('\r');
    await tick(50);
    expect(loads).toEqual([whole.id, whole.id]);
  });
});

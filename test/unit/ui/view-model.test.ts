import { describe, expect, it } from 'vitest';
import type { ListenSessionFact } from '../../../src/core/receive/facts.js';
import { BODY_BYTES_KEPT, initialViewState, MAX_ROWS, reduce, ROWS_WITH_BODIES, selectedRow } from '../../../src/ui/view-model.js';
import { makeDelivery, verified } from '../../helpers/deliveries.js';

const completed = (d = makeDelivery(verified())): ListenSessionFact => ({ type: 'completed', delivery: d });

describe('view model', () => {
  it('counts deliveries, invalid signatures and app failures', () => {
    const bad = makeDelivery(verified(), { key: 'test_pk_someone0else0entirely' });
    const failing = makeDelivery(verified(), {
      forward: {
        url: 'u',
        status: 502,
        answered: false,
        ms: 1,
        contentType: null,
        body: Buffer.alloc(0),
        preview: '',
        error: { kind: 'refused', message: 'down' },
        verdict: 'failed-status',
      },
    });
    const s = reduce(initialViewState({ state: 'off' }), { type: 'facts', facts: [completed(), completed(bad), completed(failing)] });
    expect(s.counts).toEqual({ deliveries: 3, invalidSignatures: 1, forwardFailures: 1 });
    expect(s.rows).toHaveLength(3);
    expect(bad.verification.valid).toBe(false);
  });

  it('keeps memory bounded: a window of rows, bodies only for the newest', () => {
    let s = initialViewState({ state: 'off' });
    for (let i = 0; i < 7; i++) {
      s = reduce(s, { type: 'facts', facts: Array.from({ length: 100 }, () => completed()) });
    }
    expect(s.rows).toHaveLength(MAX_ROWS);
    expect(s.dropped).toBe(700 - MAX_ROWS);
    expect(s.counts.deliveries).toBe(700);
    const withBodies = s.rows.filter((r) => r.body !== null);
    expect(withBodies).toHaveLength(ROWS_WITH_BODIES);
    expect(s.rows.at(-1)!.body).not.toBeNull();
  });

  it('bounds the bodies it keeps by bytes too: 100 deliveries of 8 MB keep at most 64 MB', () => {
    let s = initialViewState({ state: 'off' });
    const big = Buffer.alloc(8 * 1024 * 1024, 0x20);
    const facts = Array.from({ length: 100 }, () => completed(makeDelivery(verified(), { extra: { body: big } })));
    s = reduce(s, { type: 'facts', facts });
    const kept = s.rows.filter((r) => r.body !== null);
    expect(kept.reduce((sum, r) => sum + r.body!.length, 0)).toBeLessThanOrEqual(BODY_BYTES_KEPT);
    expect(kept).toHaveLength(8);
    expect(s.rows.at(-1)!.body).not.toBeNull();
  });

  it('moves the selection and follows the newest again past the end', () => {
    let s = reduce(initialViewState({ state: 'off' }), { type: 'facts', facts: [completed(), completed(), completed()] });
    expect(selectedRow(s)).toBe(s.rows[2]);
    s = reduce(s, { type: 'key', key: 'up' });
    s = reduce(s, { type: 'key', key: 'up' });
    expect(s.selected).toBe(0);
    s = reduce(s, { type: 'key', key: 'up' });
    expect(s.selected).toBe(0);
    s = reduce(s, { type: 'key', key: 'down' });
    s = reduce(s, { type: 'key', key: 'down' });
    s = reduce(s, { type: 'key', key: 'down' });
    expect(s.selected).toBe(-1);
  });

  it('tracks the tunnel through its states, keeping when an outage began', () => {
    let s = initialViewState({ state: 'connecting', host: 'https://localtunnel.me' });
    s = reduce(s, {
      type: 'facts',
      facts: [{ type: 'tunnel-up', url: 'https://a.loca.lt', subdomainRequested: null, subdomainGranted: true }],
    });
    expect(s.tunnel).toEqual({ state: 'up', url: 'https://a.loca.lt' });
    s = reduce(s, { type: 'facts', facts: [{ type: 'tunnel-down', url: 'https://a.loca.lt', cause: 'refused' }] });
    expect(s.tunnel.state).toBe('down');
    const since = (s.tunnel as { since: number }).since;
    s = reduce(s, { type: 'facts', facts: [{ type: 'tunnel-unavailable', cause: 'still refused', retryInMs: 500, attempt: 2 }] });
    expect(s.tunnel).toMatchObject({ state: 'down', since, cause: 'still refused' });
    s = reduce(s, {
      type: 'facts',
      facts: [{ type: 'tunnel-restored', url: 'https://b.loca.lt', previousUrl: 'https://a.loca.lt', urlChanged: true, downtimeMs: 1500 }],
    });
    expect(s.tunnel).toEqual({ state: 'up', url: 'https://b.loca.lt' });
    expect(s.message?.text).toMatch(/NEW URL/);
  });

  it('clears the view but not the counts', () => {
    let s = reduce(initialViewState({ state: 'off' }), { type: 'facts', facts: [completed(), completed()] });
    s = reduce(s, { type: 'key', key: 'clear' });
    expect(s.rows).toEqual([]);
    expect(s.counts.deliveries).toBe(2);
  });

  it('shows a delivery when it arrives and completes the same row when the app answers', () => {
    const d = makeDelivery(verified());
    const arriving = { ...d, forward: null, answerStatus: null };
    let s = reduce(initialViewState({ state: 'off' }), { type: 'facts', facts: [{ type: 'received', delivery: arriving }] });
    expect(s.rows).toEqual([arriving]);
    expect(s.counts.deliveries).toBe(1);
    s = reduce(s, { type: 'facts', facts: [{ type: 'completed', delivery: d }] });
    expect(s.rows).toEqual([d]);
    expect(s.counts.deliveries).toBe(1);
  });

  it('keeps a delivery cleared while in flight out of the view when it completes', () => {
    const d = makeDelivery(verified());
    let s = reduce(initialViewState({ state: 'off' }), {
      type: 'facts',
      facts: [{ type: 'received', delivery: { ...d, answerStatus: null } }],
    });
    s = reduce(s, { type: 'key', key: 'clear' });
    s = reduce(s, { type: 'facts', facts: [{ type: 'completed', delivery: d }] });
    expect(s.rows).toEqual([]);
    expect(s.hidden.size).toBe(0);
  });

  it('ignores deliveries the event filter dropped', () => {
    const d = makeDelivery(verified(), { extra: { ignored: true } });
    const s = reduce(initialViewState({ state: 'off' }), { type: 'facts', facts: [completed(d)] });
    expect(s.rows).toEqual([]);
  });
});

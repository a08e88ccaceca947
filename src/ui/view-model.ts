/**
 * The live view's state and the pure reducer that moves it: facts from the listener and tunnel,
 * and the user's keys. Components only draw what is here.
 */

import { isAppFailure } from '../core/delivery/rules.js';
import { RELAY_MODE_NOTE, relayStateText } from '../output/render/relay-state.js';
import type { Delivery } from '../core/delivery/types.js';
import type { ListenSessionFact } from '../core/receive/facts.js';
import { storeErrorText, storeResumedText } from '../output/render/store-error.js';
import { heldBytes } from '../output/render/held.js';

export type TunnelView =
  | { state: 'off' }
  | { state: 'connecting'; host: string }
  | { state: 'up'; url: string }
  | { state: 'down'; since: number; cause: string; lastUrl: string }
  | { state: 'unavailable'; since: number; cause: string };

export interface ViewState {
  rows: Delivery[];
  /** Index into rows; -1 follows the newest. */
  selected: number;
  detail: boolean;
  detailScroll: number;
  help: boolean;
  counts: { deliveries: number; invalidSignatures: number; forwardFailures: number };
  /** Rows that fell out of the window (the store still has them). */
  dropped: number;
  tunnel: TunnelView;
  /** With --relay: the relay client's state in words, and whether it is trouble. */
  relay: { text: string; bad: boolean } | null;
  message: { text: string; tone: 'info' | 'warn' | 'error' } | null;
  /** Deliveries still in flight when the view was cleared: their completion stays hidden. */
  hidden: ReadonlySet<string>;
}

export type ViewAction =
  | { type: 'facts'; facts: ListenSessionFact[] }
  | { type: 'replayed'; delivery: Delivery }
  | { type: 'key'; key: 'up' | 'down' | 'enter' | 'escape' | 'clear' | 'help' | 'top' | 'bottom' }
  | { type: 'message'; text: string; tone: 'info' | 'warn' | 'error' };

/** How many rows the view keeps; how many of the newest keep their bodies for the detail pane. */
export const MAX_ROWS = 500;
export const ROWS_WITH_BODIES = 100;
/** And at most this many bytes of bodies in all: 100 deliveries of 8 MB must not hold 800 MB. */
export const BODY_BYTES_KEPT = 64 * 1024 * 1024;

export function initialViewState(tunnel: TunnelView): ViewState {
  return {
    rows: [],
    selected: -1,
    detail: false,
    detailScroll: 0,
    help: false,
    counts: { deliveries: 0, invalidSignatures: 0, forwardFailures: 0 },
    dropped: 0,
    tunnel,
    relay: null,
    message: null,
    hidden: new Set(),
  };
}

/** Some target did not answer, or answered in a way Prembly would count as failed. */
export function forwardFailed(d: Delivery): boolean {
  return [d.forward, ...(d.otherForwards ?? [])].some((f) => f !== null && (!f.answered || isAppFailure(f.verdict)));
}

/** Keeps the window bounded: old rows go, and all but the newest rows let go of their bodies. */
function boundRows(state: ViewState, rows: Delivery[]): ViewState {
  let dropped = state.dropped;
  let selected = state.selected;
  if (rows.length > MAX_ROWS) {
    const cut = rows.length - MAX_ROWS;
    rows = rows.slice(cut);
    dropped += cut;
    if (selected >= 0) selected = Math.max(0, selected - cut);
  }
  // the newest rows keep their bodies, up to a count and a byte budget; older ones let go (the store has them)
  let kept = 0;
  let bytes = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.body === null && row.json === undefined) continue;
    // what holding the row costs: its bytes, and its parsed body (counted from the decoded text, so a
    // small gzip body that inflates to 60 MB is counted as 60 MB)
    const size = heldBytes(row);
    if (kept < ROWS_WITH_BODIES && bytes + size <= BODY_BYTES_KEPT) {
      kept++;
      bytes += size;
    } else rows[i] = { ...row, body: null, json: undefined };
  }
  return { ...state, rows, dropped, selected };
}

function countNew(state: ViewState, d: Delivery): ViewState {
  const c = state.counts;
  return {
    ...state,
    counts: { ...c, deliveries: c.deliveries + 1, invalidSignatures: c.invalidSignatures + (d.verification.valid ? 0 : 1) },
  };
}

/** Applies one fact; `rows` is the working copy of the list for this batch. */
function applyFact(state: ViewState, fact: ListenSessionFact, rows: Delivery[]): ViewState {
  switch (fact.type) {
    case 'received': {
      // shown at once, with the app's answer still to come
      if (fact.delivery.ignored) return state;
      rows.push(fact.delivery);
      return countNew(state, fact.delivery);
    }
    case 'completed': {
      const d = fact.delivery;
      if (d.ignored) return state;
      let next = state;
      if (forwardFailed(d)) next = { ...next, counts: { ...next.counts, forwardFailures: next.counts.forwardFailures + 1 } };
      if (next.hidden.has(d.id)) {
        const hidden = new Set(next.hidden);
        hidden.delete(d.id);
        return { ...next, hidden };
      }
      const at = rows.findLastIndex((r) => r.id === d.id);
      if (at >= 0) {
        rows[at] = d;
        return next;
      }
      rows.push(d);
      return countNew(next, d);
    }
    case 'tunnel-connecting':
      return state.tunnel.state === 'off' || state.tunnel.state === 'connecting'
        ? { ...state, tunnel: { state: 'connecting', host: fact.host } }
        : state;
    case 'tunnel-up':
      return {
        ...state,
        tunnel: { state: 'up', url: fact.url },
        message:
          fact.subdomainRequested && !fact.subdomainGranted
            ? { text: `asked for the subdomain "${fact.subdomainRequested}" but got ${fact.url} (taken?)`, tone: 'warn' }
            : state.message,
      };
    case 'tunnel-unavailable': {
      const t = state.tunnel;
      // an outage keeps the time it began; each retry only updates the cause
      if (t.state === 'down' || t.state === 'unavailable') return { ...state, tunnel: { ...t, cause: fact.cause } };
      return { ...state, tunnel: { state: 'unavailable', since: Date.now(), cause: fact.cause } };
    }
    case 'tunnel-down':
      return { ...state, tunnel: { state: 'down', since: Date.now(), cause: fact.cause, lastUrl: fact.url } };
    case 'tunnel-restored':
      return {
        ...state,
        tunnel: { state: 'up', url: fact.url },
        message: fact.urlChanged
          ? { text: `tunnel restored at a NEW URL: update the Identitypass dashboard to ${fact.url}/webhook`, tone: 'warn' }
          : { text: `tunnel restored after ${(fact.downtimeMs / 1000).toFixed(1)}s`, tone: 'info' },
      };
    case 'store-error':
      return { ...state, message: { text: storeErrorText(fact), tone: 'error' } };
    case 'store-resumed':
      return { ...state, message: { text: storeResumedText(fact), tone: 'warn' } };
    case 'warning':
      return { ...state, message: { text: fact.message, tone: 'warn' } };
    case 'relay-mode':
      return { ...state, relay: { text: `relay ${fact.url}`, bad: false }, message: { text: RELAY_MODE_NOTE, tone: 'info' } };
    case 'relay-state':
      return { ...state, relay: { text: relayStateText(fact), bad: fact.state === 'reconnecting' || fact.state === 'refused' } };
    case 'relay-gap':
      return { ...state, message: { text: relayStateText(fact), tone: 'warn' } };
    default:
      return state;
  }
}

export function reduce(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'facts': {
      const rows = [...state.rows];
      let next = state;
      for (const fact of action.facts) next = applyFact(next, fact, rows);
      return boundRows(next, rows);
    }
    case 'replayed':
      return {
        ...boundRows(state, [...state.rows, action.delivery]),
        message: { text: `replayed ${action.delivery.replayOf}: the app answered ${action.delivery.answerStatus}`, tone: 'info' },
      };
    case 'message':
      return { ...state, message: { text: action.text, tone: action.tone } };
    case 'key':
      return onKey(state, action.key);
  }
}

function onKey(state: ViewState, key: Extract<ViewAction, { type: 'key' }>['key']): ViewState {
  const last = state.rows.length - 1;
  const current = state.selected < 0 ? last : state.selected;
  switch (key) {
    case 'up':
      if (state.detail) return { ...state, detailScroll: Math.max(0, state.detailScroll - 1) };
      return last < 0 ? state : { ...state, selected: Math.max(0, current - 1) };
    case 'down':
      if (state.detail) return { ...state, detailScroll: state.detailScroll + 1 };
      if (last < 0) return state;
      // moving past the newest row goes back to following new deliveries
      return { ...state, selected: current >= last ? -1 : current + 1 };
    case 'top':
      return last < 0 ? state : { ...state, selected: 0 };
    case 'bottom':
      return { ...state, selected: -1 };
    case 'enter':
      return last < 0 ? state : { ...state, detail: !state.detail, detailScroll: 0, help: false };
    case 'escape':
      return { ...state, detail: false, help: false };
    case 'help':
      return { ...state, help: !state.help };
    case 'clear':
      return {
        ...state,
        rows: [],
        hidden: new Set(state.rows.filter((r) => r.answerStatus === null).map((r) => r.id)),
        selected: -1,
        detail: false,
        dropped: 0,
        message: { text: 'view cleared (the store keeps every delivery)', tone: 'info' },
      };
  }
}

/** The row the cursor is on (the newest when following). */
export function selectedRow(state: ViewState): Delivery | undefined {
  return state.selected < 0 ? state.rows.at(-1) : state.rows[state.selected];
}

/** The inspector page: header, filters, the live list and the open delivery. */

import { api, type Detail, type Summary } from './api.js';
import { detailPane, type Tab } from './detail.js';
import { clear, h } from './dom.js';
import { DeliveryList } from './list.js';

const state = h('span', { class: 'state' }, 'connecting…');
const count = h('span', { class: 'dim count' });
const right = h(
  'section',
  { class: 'right', attrs: { 'aria-label': 'delivery' } },
  h('p', { class: 'empty' }, 'Pick a delivery on the left.'),
);
let tab: Tab = 'Explain';
let openId: string | null = null;

const list = new DeliveryList((id) => void open(id));

const host = {
  marked: () => list.marked,
  mark: (m: string) => {
    list.marked = m;
    list.schedule();
  },
  open: (o: string) => void open(o),
};

function draw(d: Detail): void {
  clear(
    right,
    detailPane(d, host, tab, (t) => {
      tab = t;
      draw(d);
    }),
  );
}

async function open(id: string): Promise<void> {
  openId = id;
  list.selected = id;
  list.schedule();
  try {
    const d = await api.detail(id);
    if (openId !== id) return;
    draw(d);
  } catch (error) {
    clear(right, h('p', { class: 'bad' }, (error as Error).message));
  }
}

function select(name: keyof DeliveryList['filters'], label: string, options: [string, string][]): HTMLSelectElement {
  const el = h(
    'select',
    { attrs: { 'aria-label': label, name }, on: { change: () => ((list.filters[name] = el.value), void list.reload()) } },
    h('option', { attrs: { value: '' } }, label),
    ...options.map(([value, text]) => h('option', { attrs: { value } }, text)),
  ) as HTMLSelectElement;
  return el;
}

function filters(events: string[]): HTMLElement {
  const search = h('input', {
    attrs: { type: 'search', placeholder: 'search reference, token, path, text…', 'aria-label': 'search', name: 'q' },
  }) as HTMLInputElement;
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => ((list.filters.q = search.value.trim()), void list.reload()), 250);
  });
  return h(
    'div',
    { class: 'filters' },
    search,
    select('event', 'any event', [...events.map((e): [string, string] => [e, e]), ['unrecognised', 'unrecognised']]),
    select(
      'result',
      'any result',
      ['VERIFIED', 'PENDING', 'FAILED', 'NOT_FOUND', 'none'].map((r): [string, string] => [r, r]),
    ),
    select('signature', 'any signature', [
      ['valid', 'valid'],
      ['invalid', 'invalid'],
    ]),
    select('status', 'any app answer', [
      ['2xx', '2xx'],
      ['4xx', '4xx'],
      ['5xx', '5xx'],
      ['none', 'not forwarded'],
    ]),
  );
}

function connect(): void {
  const source = new EventSource('/api/stream');
  source.addEventListener('hello', () => {
    state.textContent = 'live';
    state.className = 'state good';
  });
  source.addEventListener('deliveries', (event) => {
    const batch = JSON.parse((event as MessageEvent<string>).data) as Summary[];
    list.live(batch);
    count.textContent = `${list.items.length.toLocaleString()} shown`;
    if (openId && batch.some((s) => s.id === openId)) void open(openId);
  });
  source.addEventListener('reload', () => void list.reload());
  source.onerror = () => {
    state.textContent = 'reconnecting…';
    state.className = 'state warn';
  };
}

async function start(): Promise<void> {
  // the first page of the list is asked for at once, beside the page's facts
  const [info] = await Promise.all([api.info(), list.reload()]);
  const app = document.getElementById('app')!;
  clear(
    app,
    h(
      'header',
      {},
      h('h1', {}, 'idpass inspector'),
      state,
      count,
      info.showPii ? h('span', { class: 'warn' }, 'personal data shown (--show-pii)') : h('span', { class: 'dim' }, 'personal data masked'),
      h('span', { class: 'dim' }, 'export:'),
      h('a', { attrs: { href: '/api/export.har', download: 'idpass.har' } }, 'HAR'),
      h('a', { attrs: { href: '/api/export.ndjson', download: 'idpass.ndjson' } }, 'NDJSON'),
    ),
    h('main', {}, h('section', { class: 'left' }, filters(info.events), list.el), right),
  );
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return;
    const at = list.items.findIndex((s) => s.id === openId);
    if (event.key === 'j' || event.key === 'ArrowDown') void open(list.items[Math.min(list.items.length - 1, at + 1)]?.id ?? '');
    if (event.key === 'k' || event.key === 'ArrowUp') void open(list.items[Math.max(0, at - 1)]?.id ?? '');
    if (event.key === 'm' && openId) {
      list.marked = openId;
      list.schedule();
    }
  });
  connect();
  list.schedule();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  count.textContent = `${list.items.length.toLocaleString()} shown`;
  performance.mark('idpass-first-render');
}

void start().catch((error: Error) => clear(document.getElementById('app')!, h('p', { class: 'bad' }, error.message)));

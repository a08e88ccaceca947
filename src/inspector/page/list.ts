/**
 * The live list: newest first, filtered on the server (search included), kept current from the
 * SSE stream, and virtualised: only the rows in view exist in the page, so 10,000 deliveries
 * scroll as smoothly as ten.
 */

import { api, type Summary } from './api.js';
import { clear, h } from './dom.js';

const ROW = 28;
const PAGE = 500;

export interface Filters {
  event: string;
  result: string;
  signature: string;
  status: string;
  q: string;
}

function statusOk(s: Summary, wanted: string): boolean {
  const status = s.appStatus;
  if (wanted === 'none') return status === null || status === 0;
  if (/^[1-5]xx$/.test(wanted)) return status !== null && Math.floor(status / 100) === Number(wanted[0]);
  return String(status) === wanted;
}

/** The server's filters, for deliveries that arrive live (a text search is left to the server's next list). */
export function passes(s: Summary, f: Filters): boolean {
  if (f.event && s.event !== f.event && !(f.event === 'unrecognised' && s.event === null)) return false;
  if (f.result && (s.result ?? 'none') !== f.result) return false;
  if (f.signature && s.signature.valid !== (f.signature === 'valid')) return false;
  if (f.status && !statusOk(s, f.status)) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (![s.id, s.reference, s.token, s.path, s.event].some((v) => v?.toLowerCase().includes(q))) return false;
  }
  return true;
}

const time = (iso: string) => iso.slice(11, 19);

export class DeliveryList {
  items: Summary[] = [];
  private byId = new Map<string, Summary>();
  selected: string | null = null;
  marked: string | null = null;
  private readonly rows = h('div', { class: 'rows' });
  readonly el = h('div', { class: 'list', attrs: { role: 'listbox', 'aria-label': 'deliveries' } }, this.rows);
  private frame = 0;
  private generation = 0;
  filters: Filters = { event: '', result: '', signature: '', status: '', q: '' };

  constructor(private readonly onSelect: (id: string) => void) {
    this.el.addEventListener('scroll', () => this.schedule());
  }

  /** Lists again from the server with the current filters: the first page at once, the rest behind it. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.filters)) if (v) query[k] = v;
    const page = await api.list({ ...query, limit: String(PAGE) });
    if (generation !== this.generation) return;
    this.set(page.deliveries);
    // the rest behind the first page, not waited for
    void this.rest(generation, query, page.more).catch(() => undefined);
  }

  private async rest(generation: number, query: Record<string, string>, more: boolean): Promise<void> {
    let page = { more, deliveries: [] as Summary[] };
    while (page.more && generation === this.generation) {
      const last = this.items.at(-1)?.id;
      if (!last) break;
      page = await api.list({ ...query, limit: '5000', before: last });
      if (generation !== this.generation) return;
      for (const s of page.deliveries) if (!this.byId.has(s.id)) this.push(s);
      this.schedule();
    }
  }

  private set(items: Summary[]): void {
    this.items = [];
    this.byId.clear();
    for (const s of items) this.push(s);
    this.schedule();
  }

  private push(s: Summary): void {
    this.items.push(s);
    this.byId.set(s.id, s);
  }

  /** Deliveries from the live stream: new ones on top, known ones updated in place. */
  live(batch: Summary[]): void {
    const fresh: Summary[] = [];
    for (const s of batch) {
      if (this.byId.has(s.id)) {
        const at = this.items.findIndex((x) => x.id === s.id);
        if (at >= 0) this.items[at] = s;
        this.byId.set(s.id, s);
      } else if (passes(s, this.filters)) fresh.push(s);
    }
    fresh.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1));
    for (const s of fresh) this.byId.set(s.id, s);
    if (fresh.length) this.items = [...fresh, ...this.items];
    // the row under the reader's eye stays put when new ones arrive above it
    if (fresh.length && this.el.scrollTop > 0) this.el.scrollTop += fresh.length * ROW;
    this.schedule();
  }

  get(id: string): Summary | undefined {
    return this.byId.get(id);
  }

  schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = 0;
    this.rows.style.height = `${this.items.length * ROW}px`;
    if (this.items.length === 0)
      return clear(
        this.rows,
        h('p', { class: 'empty' }, 'No deliveries yet. Send one: npx idpass trigger verification.completed --to <listen URL>/webhook'),
      );
    const first = Math.max(0, Math.floor(this.el.scrollTop / ROW) - 5);
    const count = Math.ceil(this.el.clientHeight / ROW) + 10;
    const rows = this.items.slice(first, first + count).map((s, i) => this.row(s, first + i));
    clear(this.rows, ...rows);
  }

  private row(s: Summary, index: number): HTMLElement {
    const sig = s.signature.valid ? h('span', { class: 'good' }, 'valid') : h('span', { class: 'bad' }, s.signature.reason ?? 'invalid');
    const app = s.appStatus === null ? '—' : String(s.appStatus);
    const appTone = s.appStatus === null ? 'dim' : s.appStatus >= 200 && s.appStatus < 300 ? 'good' : 'bad';
    // a body whose signature failed only claims its result: never in the result's colour
    const claimed = !s.signature.valid && s.result !== null;
    const result = claimed ? `${s.result}?` : (s.result ?? (s.jsonError ? 'not JSON' : '—'));
    const resultTone = claimed
      ? 'dim'
      : s.result === 'VERIFIED'
        ? 'good'
        : s.result === 'FAILED' || s.result === 'NOT_FOUND'
          ? 'bad'
          : s.result === 'PENDING'
            ? 'warn'
            : 'dim';
    const flags = [s.duplicate ? 'dup' : '', s.relayed ? 'relayed' : ''].filter(Boolean).join(' ');
    const row = h(
      'div',
      {
        class: `row${s.id === this.selected ? ' selected' : ''}${s.id === this.marked ? ' marked' : ''}`,
        title: `${s.id} ${s.reference ?? ''}`,
        attrs: { role: 'option', 'data-id': s.id, 'aria-selected': String(s.id === this.selected) },
        on: { click: () => this.onSelect(s.id) },
      },
      h('span', { class: 'dim mono' }, time(s.receivedAt)),
      h(
        'span',
        {},
        s.event ?? 'unrecognised',
        flags ? h('span', { class: 'dim' }, ` ${flags}`) : null,
        h('span', { class: 'dim' }, s.reference ? ` · ${s.reference}` : ''),
      ),
      h('span', { class: resultTone }, result),
      sig,
      h('span', { class: appTone }, app),
    );
    row.style.top = `${index * ROW}px`;
    return row;
  }
}

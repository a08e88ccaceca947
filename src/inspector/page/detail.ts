/** One delivery: what idpass made of it, its headers, its body (tree and raw), the app's answers, and what can be done with it. */

import { api, type Detail, type SendResult, type TreeNode } from './api.js';
import { clear, h, toneClass } from './dom.js';

const TABS = ['Explain', 'Headers', 'Body', 'Raw', 'Answers', 'Compare', 'Edit & send'] as const;
type Tab = (typeof TABS)[number];

export interface DetailHost {
  marked: () => string | null;
  mark: (id: string) => void;
  open: (id: string) => void;
}

function results(list: SendResult[]): HTMLElement {
  return h(
    'table',
    {},
    ...list.map((r) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, r.url),
        h(
          'td',
          { class: r.status !== null && r.status < 300 ? 'good' : 'bad' },
          r.status === null ? (r.error ?? 'no answer') : `${r.status} in ${r.ms} ms`,
        ),
        h('td', {}, h('pre', {}, r.preview.slice(0, 2000))),
      ),
    ),
  );
}

function treeItem(id: string, node: TreeNode, path: string[]): HTMLElement {
  const key = h('span', { class: 'key' }, `${node.key}: `);
  if (node.type !== 'object' && node.type !== 'array') {
    const value = node.type === 'string' ? JSON.stringify(node.preview ?? '') : (node.preview ?? '');
    const cut =
      node.type === 'string' && node.size > (node.preview?.length ?? 0)
        ? h('span', { class: 'dim' }, ` … (${node.size.toLocaleString()} characters; the Raw tab has them all)`)
        : null;
    const image = node.image ? h('img', { attrs: { src: node.image, alt: `picture at ${[...path, node.key].join('.')}` } }) : null;
    return h('li', {}, key, h('span', { class: node.type === 'string' ? '' : 'warn' }, value), cut, image);
  }
  const open = node.type === 'array' ? '[' : '{';
  const label = h('span', { class: 'toggle' }, `▸ ${open} ${node.size} ${node.type === 'array' ? 'items' : 'keys'} `);
  const li = h('li', {}, label);
  li.prepend(key);
  let expanded: HTMLElement | null = null;
  label.addEventListener('click', () => {
    if (expanded) {
      expanded.remove();
      expanded = null;
      label.textContent = `▸ ${open} ${node.size} ${node.type === 'array' ? 'items' : 'keys'} `;
      return;
    }
    label.textContent = `▾ ${open} ${node.size} ${node.type === 'array' ? 'items' : 'keys'} `;
    expanded = h('ul', {});
    li.append(expanded);
    void fill(expanded, id, [...path, node.key], 0);
  });
  return li;
}

async function fill(ul: HTMLElement, id: string, path: string[], from: number): Promise<void> {
  const page = await api.tree(id, path, from);
  for (const node of page.nodes) ul.append(treeItem(id, node, path));
  const next = from + page.nodes.length;
  if (next < page.total) {
    const more = h(
      'li',
      {},
      h(
        'button',
        { on: { click: () => (more.remove(), void fill(ul, id, path, next)) } },
        `show ${Math.min(500, page.total - next)} more of ${page.total - next}`,
      ),
    );
    ul.append(more);
  }
}

function explainTab(d: Detail): HTMLElement {
  return h(
    'div',
    {},
    ...d.explanation.map((s) =>
      h('div', { class: 'section' }, h('h3', {}, s.section), ...s.lines.map((l) => h('pre', { class: toneClass(l.tone) }, l.text))),
    ),
  );
}

function bodyTab(d: Detail): HTMLElement {
  const b = d.body;
  if (!b.tree) return h('p', { class: 'note' }, b.jsonError ?? (b.kind === 'none' ? 'no body' : 'not JSON: see the Raw tab'));
  const ul = h('ul', {});
  for (const node of b.tree.nodes) ul.append(treeItem(d.summary.id, node, []));
  if (b.tree.total > b.tree.nodes.length) void fill(ul, d.summary.id, [], b.tree.nodes.length).catch(() => undefined);
  return h(
    'div',
    { class: 'tree' },
    b.masked ? h('p', { class: 'note' }, 'Personal data masked (start idpass with --show-pii to see it, and the pictures).') : null,
    ul,
  );
}

function rawTab(d: Detail): HTMLElement {
  const b = d.body;
  const download = h(
    'a',
    { attrs: { href: api.rawUrl(d.summary.id), download: `${d.summary.id}.body` } },
    `download the ${b.size.toLocaleString()} bytes received`,
  );
  const notes = [b.masked ? 'Personal data masked.' : '', b.textCut ? 'Cut at 1 MB here.' : ''].filter(Boolean).join(' ');
  if (b.hex)
    return h('div', {}, h('p', { class: 'note' }, 'Not text: the first 4 KB as hex. ', download), h('pre', { class: 'hex' }, b.hex));
  return h('div', {}, h('p', { class: 'note' }, notes, ' ', download), h('pre', { class: 'raw' }, b.text ?? ''));
}

function answersTab(d: Detail): HTMLElement {
  if (d.forwards.length === 0) return h('p', { class: 'note' }, 'Not forwarded to an app (listen --forward-to sends it on).');
  return h(
    'table',
    {},
    h('tr', {}, h('th', {}, 'target'), h('th', {}, 'answer'), h('th', {}, 'what Prembly would make of it'), h('th', {}, 'body')),
    ...d.forwards.map((f) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, f.url),
        h('td', { class: f.status >= 200 && f.status < 300 ? 'good' : 'bad' }, f.error ? f.error.message : `${f.status} in ${f.ms} ms`),
        h('td', {}, f.verdict),
        h('td', {}, h('pre', {}, f.preview)),
      ),
    ),
  );
}

async function compareInto(el: HTMLElement, a: string, b: string): Promise<void> {
  const c = await api.compare(a, b);
  const changed = c.rows.filter((r) => r.change !== 'same').length;
  clear(
    el,
    h('p', { class: 'note' }, `${changed} of ${c.rows.length} fields differ`),
    h(
      'table',
      { class: 'compare' },
      h(
        'tr',
        {},
        h('th', {}, 'field'),
        h('th', {}, `${a} (${c.a.result ?? c.a.event ?? ''})`),
        h('th', {}, `${b} (${c.b.result ?? c.b.event ?? ''})`),
      ),
      ...c.rows.map((r) =>
        h(
          'tr',
          { class: r.change },
          h('td', { class: 'mono' }, r.path),
          h('td', { class: 'mono' }, r.a ?? '—'),
          h('td', { class: 'mono' }, r.b ?? '—'),
        ),
      ),
    ),
  );
}

function compareTab(d: Detail, host: DetailHost): HTMLElement {
  const out = h('div', {});
  const pick = h('div', { class: 'actions' });
  const marked = host.marked();
  if (marked && marked !== d.summary.id)
    pick.append(h('button', { on: { click: () => void compareInto(out, marked, d.summary.id) } }, `compare with the marked ${marked}`));
  for (const r of d.related.slice(0, 6))
    pick.append(
      h(
        'button',
        { on: { click: () => void compareInto(out, r.id, d.summary.id) } },
        `compare with ${r.result ?? r.event ?? r.id} at ${r.receivedAt.slice(11, 19)} (same reference)`,
      ),
    );
  if (!pick.childNodes.length)
    pick.append(h('span', { class: 'note' }, 'No other delivery of this reference: mark one (m) and open another to compare.'));
  const first = d.related[0];
  if (first) void compareInto(out, first.id, d.summary.id).catch(() => undefined);
  return h('div', {}, pick, out);
}

function editTab(d: Detail): HTMLElement {
  const area = h('textarea', { attrs: { spellcheck: 'false', 'aria-label': 'body to send' } }) as HTMLTextAreaElement;
  area.value = d.body.text ?? '';
  const to = h('input', {
    class: 'to',
    attrs: { placeholder: 'URL (empty: where it was forwarded)', 'aria-label': 'send to' },
  }) as HTMLInputElement;
  const out = h('div', {});
  const run = async (curl: boolean) => {
    try {
      const r = await api.send({ body: area.value, from: d.summary.id, ...(to.value ? { to: to.value } : {}), curl });
      clear(
        out,
        h('p', { class: 'note' }, `signed with the ${r.key} key, token ${r.token}`),
        r.results ? results(r.results) : null,
        h('pre', { class: 'curl' }, r.curl),
      );
      if (curl) await navigator.clipboard?.writeText(r.curl).catch(() => undefined);
    } catch (error) {
      clear(out, h('p', { class: 'bad' }, (error as Error).message));
    }
  };
  return h(
    'div',
    {},
    d.body.masked
      ? h('p', { class: 'note' }, 'The body below has personal data masked; start idpass with --show-pii to edit the exact body.')
      : null,
    area,
    h(
      'div',
      { class: 'actions' },
      to,
      h('button', { class: 'send', on: { click: () => void run(false) } }, 'Send re-signed'),
      h('button', { on: { click: () => void run(true) } }, 'Copy as curl'),
    ),
    out,
  );
}

export function detailPane(d: Detail, host: DetailHost, tab: Tab, onTab: (tab: Tab) => void): HTMLElement {
  const out = h('div', { class: 'out' });
  const to = h('input', {
    class: 'to resend-to',
    attrs: { placeholder: 'to: where it was forwarded', 'aria-label': 'resend to (empty: where it was forwarded)' },
  }) as HTMLInputElement;
  const resend = async () => {
    try {
      clear(out, h('p', { class: 'results' }, results((await api.resend(d.summary.id, to.value.trim() || undefined)).results)));
    } catch (error) {
      clear(out, h('p', { class: 'bad' }, (error as Error).message));
    }
  };
  const curl = async () => {
    const text = await api.curl(d.summary.id, to.value.trim() || undefined).catch((e: Error) => e.message);
    clear(out, h('pre', { class: 'curl' }, text));
    await navigator.clipboard?.writeText(text).catch(() => undefined);
  };
  const views: Record<Tab, () => HTMLElement> = {
    Explain: () => explainTab(d),
    Headers: () =>
      h(
        'table',
        {},
        h('tr', {}, h('th', {}, 'request'), h('td', { class: 'mono' }, `${d.summary.method} ${d.path}`)),
        ...d.headers.map((x) => h('tr', {}, h('th', { class: 'mono' }, x.name), h('td', { class: 'mono' }, x.value))),
      ),
    Body: () => bodyTab(d),
    Raw: () => rawTab(d),
    Answers: () => answersTab(d),
    Compare: () => compareTab(d, host),
    'Edit & send': () => editTab(d),
  };
  return h(
    'div',
    {},
    h('h2', {}, `${d.summary.event ?? 'unrecognised body'} · ${d.summary.id}`),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'resend', on: { click: () => void resend() } }, 'Resend'),
      h('button', { class: 'copy-curl', on: { click: () => void curl() } }, 'Copy as curl'),
      h('button', { on: { click: () => host.mark(d.summary.id) } }, 'Mark for compare'),
      to,
    ),
    out,
    h(
      'div',
      { class: 'tabs', attrs: { role: 'tablist' } },
      ...TABS.map((t) =>
        h('button', { class: t === tab ? 'on' : '', attrs: { role: 'tab', 'data-tab': t }, on: { click: () => onTab(t) } }, t),
      ),
    ),
    h('div', { class: 'tab' }, views[tab]()),
  );
}

export type { Tab };

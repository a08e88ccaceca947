/**
 * Building the page without markup: every element is made with createElement and every string
 * from a delivery becomes a text node, so a body full of <script>, onerror= or javascript: is
 * only ever text. Control characters and bidi overrides are shown as visible escapes, so they
 * cannot reorder or hide what is on the screen.
 */

type Child = Node | string | null | undefined | false;
type Props = {
  class?: string;
  title?: string;
  on?: Partial<Record<'click' | 'input' | 'change' | 'keydown' | 'scroll', (event: Event) => void>>;
  attrs?: Record<string, string>;
};

// C0 (but tab and newline), DEL, C1, bidi embeddings/overrides/isolates, line and paragraph separators, BOM
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'g');

/** Text with its hidden characters shown as ⟨U+XXXX⟩ marks. */
export function shown(text: string): Node {
  if (!HIDDEN.test(text)) return document.createTextNode(text);
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(HIDDEN_ALL)) {
    out.append(text.slice(last, m.index));
    const mark = document.createElement('span');
    mark.className = 'esc';
    mark.textContent = `⟨U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
    out.append(mark);
    last = m.index + m[0].length;
  }
  out.append(text.slice(last));
  return out;
}

export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    // links only to this page's own API; nothing from a delivery becomes an address
    if ((name === 'href' || name === 'src') && !(value.startsWith('/api/') || value.startsWith('data:image/'))) continue;
    el.setAttribute(name, value);
  }
  for (const [event, handler] of Object.entries(props.on ?? {})) el.addEventListener(event, handler);
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(typeof child === 'string' ? shown(child) : child);
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(typeof child === 'string' ? shown(child) : child);
}

export const toneClass = (tone: string) =>
  tone === 'good' ? 'good' : tone === 'bad' ? 'bad' : tone === 'warn' ? 'warn' : tone === 'dim' ? 'dim' : '';

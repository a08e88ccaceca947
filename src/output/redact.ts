/**
 * Hides personal data in delivery bodies before they are shown: ID numbers, dates of birth, phone
 * numbers, e-mail and street addresses, account numbers and images. Names stay, so a developer can
 * still tell deliveries apart. Walking a body is iterative and depth-capped, and no regex ever runs
 * over an unbounded string: a body from the wire may be deeply nested or carry megabytes of base64.
 */

/** Deeper than this, a display copy shows `[nested N levels, not shown]`. */
export const MAX_DISPLAY_DEPTH = 32;

/** Key words that mark a field as personal data, matched against the words of a key (`phoneNumber1` → phone, number1). */
const SENSITIVE_WORDS = new Set([
  'bvn',
  'nin',
  'vnin',
  'vin',
  'number',
  'no',
  'msisdn',
  'phone',
  'phonenumber',
  'telephone',
  'telephoneno',
  'mobile',
  'email',
  'mail',
  'address',
  'birth',
  'birthday',
  'birthdate',
  'dob',
  'passport',
  'licence',
  'license',
  'account',
  'iban',
  'signature',
  'photo',
  'image',
  'images',
  'selfie',
  'base64',
  'residence',
  // phones and places by other names, tax ids, voter ids ("voter_id": the word id alone is not personal)
  'whatsapp',
  'street',
  'tin',
  'voter',
  'postcode',
  'zipcode',
]);

function keyWords(key: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < key.length && i < 200; i++) {
    const ch = key[i]!;
    const upper = ch >= 'A' && ch <= 'Z';
    if (ch === '_' || ch === '-' || ch === ' ' || ch === '.' || (upper && word && !(word.at(-1)! >= 'A' && word.at(-1)! <= 'Z'))) {
      if (word) words.push(word.toLowerCase());
      word = ch === '_' || ch === '-' || ch === ' ' || ch === '.' ? '' : ch;
    } else word += ch;
  }
  if (word) words.push(word.toLowerCase());
  return words;
}

function wordsSensitive(key: string): boolean {
  return keyWords(key).some((w) => SENSITIVE_WORDS.has(w.replace(/\d+$/, '')));
}

// Bodies repeat their keys delivery after delivery: each key is split into words once. Bounded, as
// keys come from the wire: past the limit the cache starts again.
const KEY_CACHE_LIMIT = 4096;
const MAX_CACHED_KEY = 64;
const keyCache = new Map<string, boolean>();

/** Whether a key names personal data: any of its words (digits dropped) is a sensitive word. */
export function isSensitiveKey(key: string): boolean {
  if (key.length > MAX_CACHED_KEY) return wordsSensitive(key);
  let sensitive = keyCache.get(key);
  if (sensitive === undefined) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    sensitive = wordsSensitive(key);
    keyCache.set(key, sensitive);
  }
  return sensitive;
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 43 ||
    code === 47 ||
    code === 61 ||
    code === 10 ||
    code === 13
  );
}

/** A long base64 run (an image), possibly as a data: URI. A linear scan, no regex. */
export function looksLikeBlob(value: string): boolean {
  let start = 0;
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',', 0);
    if (comma < 0 || comma > 100) return false;
    start = comma + 1;
  }
  if (value.length - start < 200) return false;
  for (let i = start; i < value.length; i++) if (!isBase64Char(value.charCodeAt(i))) return false;
  return true;
}

function describeBlob(value: string): string {
  const comma = value.startsWith('data:') ? value.indexOf(',') + 1 : 0;
  const bytes = Math.floor(((value.length - comma) * 3) / 4);
  return `[image, ${bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`}, redacted]`;
}

function allDigits(value: string): boolean {
  if (value.length < 6 || value.length > 64) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function maskScalar(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === '') return value;
    if (value.length > 64) return describeBlob(value);
    // keep the last two characters of ID numbers so two records can be told apart
    return allDigits(value) ? `${'•'.repeat(value.length - 2)}${value.slice(-2)}` : '[redacted]';
  }
  if (typeof value === 'number') return '[redacted]';
  return value;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** How many more levels of containers lie below `value`, counted without recursion. */
function depthBelow(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length > 0 && visited < 1_000_000) {
    const [node, depth] = stack.pop()!;
    visited++;
    if (!isContainer(node)) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (isContainer(child)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export interface DisplayOptions {
  /** Mask personal data (the default); false keeps values, still depth-capped. */
  redact?: boolean;
  maxDepth?: number;
}

type Container = Record<string, unknown> | unknown[];

/** Sets an own property; `__proto__` included (as data, never as the prototype). */
function put(to: Container, key: string, value: unknown): void {
  if (Array.isArray(to)) to.push(value);
  else if (key === '__proto__') Object.defineProperty(to, key, { value, enumerable: true, writable: true, configurable: true });
  else to[key] = value;
}

/**
 * A copy of a parsed body fit for showing: personal data masked (unless told not to), base64
 * images summarised, and anything nested deeper than `maxDepth` replaced by a note. Iterative.
 * Objects are copied as plain objects whose only own keys are the body's (a `__proto__` key stays data).
 */
export function displayCopy(body: unknown, { redact = true, maxDepth = MAX_DISPLAY_DEPTH }: DisplayOptions = {}): unknown {
  const scalar = (value: unknown, sensitive: boolean) => {
    if (!redact) return value;
    if (sensitive) return maskScalar(value);
    return typeof value === 'string' && looksLikeBlob(value) ? describeBlob(value) : value;
  };
  if (!isContainer(body)) return scalar(body, false);
  const root: Container = Array.isArray(body) ? [] : {};
  const stack: { from: Container; to: Container; depth: number; sensitive: boolean }[] = [
    { from: body, to: root, depth: 1, sensitive: false },
  ];
  const copy = (to: Container, key: string, value: unknown, depth: number, sensitive: boolean) => {
    if (!isContainer(value)) return put(to, key, scalar(value, sensitive));
    if (depth >= maxDepth) return put(to, key, `[nested ${depthBelow(value)} levels, not shown]`);
    const out: Container = Array.isArray(value) ? [] : {};
    put(to, key, out);
    stack.push({ from: value, to: out, depth: depth + 1, sensitive });
  };
  while (stack.length > 0) {
    const { from, to, depth, sensitive } = stack.pop()!;
    if (Array.isArray(from)) {
      for (let i = 0; i < from.length; i++) copy(to, '', from[i], depth, sensitive);
    } else {
      for (const key of Object.keys(from)) copy(to, key, from[key], depth, sensitive || (redact && isSensitiveKey(key)));
    }
  }
  return root;
}

/** A deep copy of `body` with personal data masked, depth-capped for display. */
export function redact<T>(body: T): T {
  return displayCopy(body) as T;
}

/** Text that is not JSON, with digit runs, e-mail addresses and long tokens masked. A linear scan. */
export function redactText(text: string, max = 2000): string {
  const cut = text.slice(0, max);
  let out = '';
  let i = 0;
  while (i < cut.length) {
    const ch = cut[i]!;
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < cut.length && ((cut[j]! >= '0' && cut[j]! <= '9') || cut[j] === ' ' || cut[j] === '-' || cut[j] === '+')) j++;
      const run = cut.slice(i, j);
      const digits = run.replace(/\D/g, '');
      out += digits.length >= 4 ? '•'.repeat(digits.length - 2) + digits.slice(-2) + (run.endsWith(' ') ? ' ' : '') : run;
      i = j;
    } else if (ch === '@') {
      // an e-mail: mask the word before and after
      out = out.replace(/[^\s"',;:<>()[\]{}&=?/]*$/, '[redacted]');
      let j = i + 1;
      while (j < cut.length && !/[\s"',;:<>()[\]{}&=?/]/.test(cut[j]!)) j++;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out + (text.length > max ? '…' : '');
}

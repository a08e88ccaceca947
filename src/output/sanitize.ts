/**
 * Making text from the wire safe to put on a terminal. Anyone who knows the public tunnel URL can
 * put bytes in a body, a header or a path: control characters (ESC and the other C0 controls, DEL,
 * the C1 controls) and bidirectional overrides are made visible instead of reaching the terminal,
 * so nobody can set the window title, write the clipboard or clear the screen through a delivery.
 */

function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x2028 ||
    code === 0x2029
  );
}

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x1b: '␛' };

function escapeCode(code: number): string {
  return NAMED[code] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** The text with every control character shown as an escape (`␛`, `\n`, `\x07`, `\u202e`). Linear. */
export function visible(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafe(code)) continue;
    out += text.slice(last, i) + escapeCode(code);
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

// What JSON.stringify leaves raw that a terminal would act on: DEL, the C1 controls, bidi overrides and
// the line/paragraph separators. One character class, so the scan is linear and runs in V8's regexp engine.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_IN_JSON_ALL = new RegExp(UNSAFE_IN_JSON.source, 'g');

/**
 * JSON for one NDJSON line: JSON.stringify already escapes C0 controls; this also escapes DEL, the
 * C1 controls and bidi overrides, which it leaves raw. The value is unchanged for any JSON reader.
 */
export function safeJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!UNSAFE_IN_JSON.test(text)) return text;
  return text.replace(UNSAFE_IN_JSON_ALL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

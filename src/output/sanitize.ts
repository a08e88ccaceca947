/**
 * Making text from the wire safe to put on a terminal. Anyone who knows the public tunnel URL can
 * put bytes in a body, a header or a path: control characters (ESC and the other C0 controls, DEL,
 * the C1 controls) and bidirectional overrides are made visible instead of reaching the terminal,
 * so nobody can set the window title, write the clipboard or clear the screen through a delivery.
 */

// What a terminal acts on besides the C0 controls: DEL and the C1 controls, the bidi overrides and
// isolates, and the line/paragraph separators. One list for both forms below; each is one character
// class, so a scan is linear and runs in V8's regexp engine.
const ACTIVE = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[\\u0000-\\u001f${ACTIVE}]`, 'g');
// JSON.stringify escapes the C0 controls itself
const UNSAFE_IN_JSON = new RegExp(`[${ACTIVE}]`, 'g');

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x1b: '␛' };

function escapeCode(code: number): string {
  return NAMED[code] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** The text with every control character shown as an escape (`␛`, `\n`, `\x07`, `\u202e`). Linear. */
export function visible(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  return text.replace(UNSAFE, (ch) => escapeCode(ch.charCodeAt(0)));
}

/**
 * JSON for one NDJSON line: JSON.stringify already escapes C0 controls; this also escapes DEL, the
 * C1 controls and bidi overrides, which it leaves raw. The value is unchanged for any JSON reader.
 */
export function safeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

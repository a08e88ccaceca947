/** Parsing the values users type into flags: durations, sizes, counts, ports, URLs, subdomains. */

import { isLoopbackHost } from '../core/common/hosts.js';
import { isValidSubdomain } from '../core/tunnel/subdomain.js';

/** A flag value that cannot be used; the message says what would work. */
export class ValueError extends Error {}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `2s`, `1.5s`, `1m`, `1h`, `7d`, or `0`. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i.exec(trimmed);
  if (!match) {
    const hint = /^\d+(\.\d+)?$/.test(trimmed) ? ` (add a unit: ${trimmed}s or ${trimmed}ms)` : '';
    throw new ValueError(`"${text}" is not a duration${hint}; use forms like 500ms, 2s, 1.5s, 1m`);
  }
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `64b`: a unit is required, so `10` is not silently ten bytes. */
export function parseSize(text: string): number {
  const trimmed = text.trim();
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(trimmed);
  if (!match) {
    const hint = /^\d+(\.\d+)?$/.test(trimmed) ? `add a unit: ${trimmed}mb, ${trimmed}kb or ${trimmed}b` : 'use forms like 512kb or 10mb';
    throw new ValueError(`"${text}" is not a size: ${hint}`);
  }
  return Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
}

/** A whole number of at least 1. */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ValueError(`"${text}" is not a count: use a whole number of at least 1`);
  return Number(text);
}

export function parseSubdomain(text: string): string {
  if (!isValidSubdomain(text)) {
    throw new ValueError(`"${text}" is not a subdomain a localtunnel server accepts: 4 to 63 lowercase letters, digits and inner dashes`);
  }
  return text;
}

/**
 * An http(s) URL. Like `stripe listen --forward-to`, a bare `localhost:3000/hook`, `127.0.0.1:3000`
 * or `:3000/hook` means http on this machine; a bare port suggests the URL it probably meant.
 */
export function parseHttpUrl(text: string, flag: string): URL {
  const trimmed = text.trim();
  if (/^\d{1,5}$/.test(trimmed)) {
    // an app's webhook path, as the README's middleware serves it; a listener takes any path
    const path = flag === '--forward-to' ? '/webhooks/identitypass' : '/webhook';
    throw new ValueError(`${flag} needs a URL, not a port: did you mean http://127.0.0.1:${trimmed}${path} (or :${trimmed}${path})?`);
  }
  let candidate = trimmed;
  if (/^:\d{1,5}(\/|$)/.test(candidate)) candidate = `http://127.0.0.1${candidate}`;
  // "localhost:3000/hook" would parse as a URL with the scheme "localhost:"
  else if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d{1,5})?(\/|$)/i.test(candidate)) candidate = `http://${candidate}`;
  let url: URL;
  // a URL that does not parse may still carry a password: never echo one back
  const shown = withoutPassword(text);
  try {
    url = new URL(candidate);
  } catch {
    const bareHost = /^[\w.-]+(:\d+)?(\/|$)/.test(candidate);
    throw new ValueError(
      `${flag} "${shown}" is not a URL${bareHost ? `: did you mean https://${withoutPassword(candidate)}?` : ': use http(s)://host[:port]/path'}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const bareHost = /^[\w.-]+:\d+(\/|$)/.test(candidate);
    throw new ValueError(
      `${flag} "${shown}" must be an http:// or https:// URL${bareHost ? `: did you mean http://${withoutPassword(candidate)}?` : ''}`,
    );
  }
  return url;
}

/** The text with the password of any `user:password@` masked, whether or not the rest parses. */
export function withoutPassword(text: string): string {
  return text.replace(/^([^/?#]*\/\/[^/?#@:]*):[^@/?#]*@/, '$1:•••@');
}

/** A TCP port, or 0 for any free one. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535)
    throw new ValueError(`"${text}" is not a port: use a number from 1 to 65535, or 0 for any free port`);
  return port;
}

const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 10: 'line feed', 13: 'carriage return', 27: 'escape', 127: 'delete' };

/** `name: value`, as curl and HTTP logs write headers. */
export function parseHeaderLine(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new ValueError(`"${text}" has no "name: value" form; write it like --header "x-prembly-signature: <value>"`);
  }
  const name = text.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ValueError(`${JSON.stringify(name)} is not a header name`);
  const value = text.slice(colon + 1).trim();
  // what HTTP (and node) allow in a value: tab, printable ASCII and Latin-1; never CR, LF or other controls
  const bad = /[^\t\x20-\x7e\x80-\xff]/u.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!;
    const shown = `U+${code.toString(16).toUpperCase().padStart(4, '0')}${CONTROL_NAMES[code] ? ` (${CONTROL_NAMES[code]})` : ''}`;
    throw new ValueError(
      `the value of ${name} holds ${shown} at character ${bad.index + 1}: a header value may hold printable Latin-1 text only (no line breaks, controls or characters like ✓)`,
    );
  }
  return [name, value];
}

/** A bind address: never empty (an empty host would bind every interface). */
export function parseHost(text: string): string {
  const host = text.trim();
  if (host === '') throw new ValueError('--host needs an address, like 127.0.0.1 (the default) or 0.0.0.0 for every interface');
  return host;
}

/** The warning for an address other machines can reach, or null for a loopback one. */
export function exposedHostWarning(host: string): string | null {
  if (isLoopbackHost(host)) return null;
  return `bound to ${host}: other machines on your network can reach this listener`;
}

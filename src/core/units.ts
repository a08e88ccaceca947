/** Parsing of the values users type into flags: durations, sizes, status expectations. */

export class ValueError extends Error {}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `2s`, `1.5s`, `1m`, `1h`, or `0`. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i.exec(trimmed);
  if (!match) {
    const hint = /^\d+(\.\d+)?$/.test(trimmed) ? ` (add a unit: ${trimmed}s or ${trimmed}ms)` : '';
    throw new ValueError(`"${text}" is not a duration${hint}; use forms like 500ms, 2s, 1.5s, 1m`);
  }
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `1048576`. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!match) throw new ValueError(`"${text}" is not a size; use forms like 512kb, 10mb or a number of bytes`);
  return Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** What status a receiver is expected to answer: exact codes and `2xx`-style classes. */
export interface StatusExpectation {
  text: string;
  matches(status: number): boolean;
}

/** `200`, `2xx`, `4xx`, `401`, or several joined by commas (`200,202`). */
export function parseStatusExpectation(text: string): StatusExpectation {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  const tests = parts.map((part) => {
    if (/^[1-5]\d\d$/.test(part)) {
      const code = Number(part);
      return (status: number) => status === code;
    }
    if (/^[1-5]xx$/.test(part)) {
      const hundred = Number(part[0]);
      return (status: number) => Math.floor(status / 100) === hundred;
    }
    throw new ValueError(`"${text}" is not a status: use a code like 200 or 401, a class like 2xx or 4xx, or a list like 200,202`);
  });
  return { text: parts.join(','), matches: (status) => tests.some((t) => t(status)) };
}

/** A whole number of at least 1. */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ValueError(`"${text}" is not a count: use a whole number of at least 1`);
  return Number(text);
}

/** A subdomain that localtunnel servers accept: lowercase letters, digits and inner dashes, 4 to 63. */
export function isValidSubdomain(name: string): boolean {
  return /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/.test(name);
}

export function parseSubdomain(text: string): string {
  if (!isValidSubdomain(text)) {
    throw new ValueError(`"${text}" is not a subdomain a localtunnel server accepts: 4 to 63 lowercase letters, digits and inner dashes`);
  }
  return text;
}

/** An http(s) URL, with a clear complaint about anything else. */
export function parseHttpUrl(text: string, flag: string): URL {
  // "localhost:3000/hook" parses as a URL with the scheme "localhost:", so look for a bare host first
  const bareHost = /^[\w.-]+(:\d+)?(\/|$)/.test(text);
  const hint = bareHost ? ` (did you mean http://${text}?)` : '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueError(`${flag} "${text}" is not a URL${hint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValueError(`${flag} "${text}" must be an http:// or https:// URL${hint}`);
  }
  return url;
}

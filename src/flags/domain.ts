/** Flag values in the domain's own terms: event patterns, status expectations, body edits. */

import { CoreError } from '../core/common/errors.js';
import { isProduct, PRODUCTS, type Product } from '../core/delivery/catalog.js';
import { compileEventPatterns, EventPatternError, type EventFilter } from '../core/delivery/event-filter.js';
import { parseStatusExpectation as parseExpectation, type StatusExpectation } from '../core/delivery/rules.js';
import { splitPath } from '../core/trigger/body-edits.js';
import type { ForwardTarget } from '../core/receive/app-forward.js';
import { parseDuration, parseHttpUrl, ValueError } from './values.js';

/** Event names and globs, comma-separated; every entry must match a known event. */
export function parseEventPatterns(list: string, flag = '--events'): EventFilter {
  try {
    return compileEventPatterns(list);
  } catch (error) {
    if (!(error instanceof EventPatternError)) throw error;
    if (error.code === 'no-patterns')
      throw new ValueError(`${flag} needs at least one event name, like verification.completed or verification.*`);
    const close = error.facts.suggestions;
    throw new ValueError(
      `${flag}: "${error.facts.entry}" matches no event` +
        (close.length ? `; did you mean ${close.join(', ')}?` : '') +
        ' (idpass trigger --list shows them all)',
    );
  }
}

/** `200`, `2xx`, `4xx`, `401`, or several joined by commas (`200,202`). */
export function parseStatusExpectation(text: string): StatusExpectation {
  try {
    return parseExpectation(text);
  } catch (error) {
    if (error instanceof CoreError) throw new ValueError(error.message);
    throw error;
  }
}

/** `path=value`, the value parsed as JSON when it parses and kept as a string otherwise. */
export function parseAssignment(text: string): { path: string; value: unknown } {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new ValueError(`"${text}" is not path=value: write it like data.firstName=Ada or verification.status='"PENDING"'`);
  }
  const path = text.slice(0, eq).trim();
  try {
    splitPath(path);
  } catch (error) {
    if (error instanceof CoreError) throw new ValueError(error.message);
    throw error;
  }
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: the text itself is the value
  }
  return { path, value };
}

const REFERENCE_SLOT = 'idpass0reference0slot';

/** `--state-url`: an http(s) URL (or a loopback shorthand) with `{reference}` where the reference goes. */
export function parseStateUrl(text: string): string {
  if (!text.includes('{reference}')) {
    throw new ValueError('needs {reference} where the reference goes, like http://127.0.0.1:3000/state/{reference}');
  }
  const url = parseHttpUrl(text.replaceAll('{reference}', REFERENCE_SLOT), '--state-url');
  return url.href.replaceAll(REFERENCE_SLOT, '{reference}');
}

/** `http://…`, `localhost:3000/x`, or `<event pattern>=<url>` (`workflow.*=http://localhost:3001/wf`). */
export function parseForwardTarget(text: string): ForwardTarget {
  const eq = text.indexOf('=');
  const before = eq > 0 ? text.slice(0, eq) : '';
  // a route's pattern has no ':' or '/'; an '=' further on belongs to the URL's query
  if (before && !/[:/]/.test(before)) {
    const pattern = before.trim();
    return { pattern, events: parseEventPatterns(pattern, '--forward-to'), url: parseHttpUrl(text.slice(eq + 1).trim(), '--forward-to') };
  }
  return { url: parseHttpUrl(text, '--forward-to') };
}

/** A duration, or `0` / `none` for no limit (Infinity). */
export function parseForwardTimeout(text: string): number {
  if (/^\s*(0|none)\s*$/i.test(text)) return Number.POSITIVE_INFINITY;
  const ms = parseDuration(text);
  if (ms < 1) throw new ValueError(`"${text}" is not a timeout: use a duration like 10s, or none`);
  return ms;
}

/** The sandbox's time scale: 1 (real time) to 100000. */
export function parseTimeScale(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1 || n > 100_000)
    throw new ValueError(`"${text}" is not a time scale: use a number from 1 (real time) to 100000`);
  return n;
}

/** Product names, any case, comma-separated. */
export function parseProducts(text: string): Product[] {
  return text.split(',').map((part) => {
    const name = part.trim().toLowerCase();
    if (!isProduct(name)) throw new ValueError(`"${part.trim()}" is not a product: use one of ${PRODUCTS.join(', ')}`);
    return name;
  });
}

/** `200`, `200/s`: deliveries started per second. */
export function parseRate(text: string): number {
  const n = Number(text.trim().replace(/\/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new ValueError(`"${text}" is not a rate: use deliveries per second, like 200/s`);
  return n;
}

/** The sandbox's --webhook-url: an http(s) URL, never its own admin API (webhooks sent there would loop). */
export function parseWebhookUrl(text: string): URL {
  const url = parseHttpUrl(text, '--webhook-url');
  if (url.pathname.startsWith('/__idpass')) {
    throw new ValueError(
      `--webhook-url ${url.pathname} is the sandbox's own admin API: webhooks sent there would loop; give your app's webhook URL`,
    );
  }
  return url;
}

import type { ChalkInstance } from 'chalk';
import type { Delivery, ListenerFact } from '../core/listener.js';
import type { TunnelFact } from '../core/tunnel.js';
import { formatDuration } from '../core/units.js';
import { redact } from '../core/redact.js';
import { writeLine, type IO } from './io.js';

/** How deliveries look in plain lines and in NDJSON: two of the consumers of the listener's facts. */

/** The machine form of a delivery, PII redacted unless asked. */
export function deliveryJson(d: Delivery, showPii: boolean) {
  const c = d.classification;
  return {
    type: 'delivery',
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    size: d.size,
    event: c.event,
    identityStatus: c.identityStatus,
    responseCode: c.responseCode,
    responseMeaning: c.responseMeaning,
    product: c.product,
    reference: c.reference,
    envelope: c.envelope,
    retry: c.retry,
    duplicate: d.duplicate,
    signature: {
      valid: d.verification.valid,
      scheme: d.verification.scheme,
      reason: d.verification.reason,
      message: d.verification.message,
      weak: d.verification.weak,
      token: d.verification.token,
    },
    schemeNote: d.schemeNote,
    notes: d.notes,
    jsonError: d.jsonError,
    tooLarge: d.tooLarge,
    stored: d.stored,
    forward: d.forward
      ? {
          url: d.forward.url,
          status: d.forward.status,
          answered: d.forward.answered,
          ms: d.forward.ms,
          reply: d.forward.preview,
          error: d.forward.error?.message ?? null,
          warning: d.forward.warning,
        }
      : null,
    answerStatus: d.answerStatus,
    body: d.json === undefined ? null : showPii ? d.json : redact(d.json),
  };
}

/** HH:MM:SS in the local time zone, as a person reading a terminal expects. */
export function clockTime(iso: string | number): string {
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function statusColour(c: ChalkInstance, status: string | null): string {
  if (status === 'VERIFIED') return c.green(status);
  if (status === 'NOT-VERIFIED') return c.red(status);
  if (status === 'PENDING') return c.yellow(status);
  return c.dim(status ?? '—');
}

/** One line per delivery, with indented lines for anything that needs attention. */
export function formatDeliveryLines(d: Delivery, c: ChalkInstance): string[] {
  const k = d.classification;
  const parts = [c.dim(clockTime(d.receivedAt)), c.bold(k.event ?? (d.jsonError ? 'not JSON' : d.tooLarge ? 'too large' : 'unrecognised body'))];
  if (k.identityStatus || k.responseCode) {
    parts.push(`${statusColour(c, k.identityStatus)}${k.responseCode ? ` ${k.responseCode} ${c.dim(k.responseMeaning ?? '')}` : ''}`.trim());
  }
  if (k.product) parts.push(k.product);
  if (k.reference) parts.push(c.dim(`ref ${k.reference}`));
  const v = d.verification;
  parts.push(v.valid ? c.green(`sig ✔ ${v.scheme}${v.weak ? ' (weak)' : ''}`) : c.red(`sig ✘ ${v.reason === 'missing-signature' ? 'missing' : (v.scheme ?? 'invalid')}`));
  if (k.retry) parts.push(c.cyan('retry'));
  if (d.duplicate) parts.push(c.magenta('duplicate token'));
  if (d.forward) {
    const f = d.forward;
    const label = f.answered ? `app ${f.status} ${f.ms}ms` : `app ${f.error?.kind === 'timeout' ? 'timeout' : 'unreachable'} → ${f.status}`;
    parts.push(f.warning ? c.yellow(`→ ${label}`) : c.green(`→ ${label}`));
  } else if (d.answerStatus !== null) {
    parts.push(c.dim(`→ ${d.answerStatus}`));
  }
  parts.push(c.dim(`${d.method} ${d.path}`));
  const lines = [parts.join('  ')];
  const detail = (mark: string, text: string) => lines.push(`    ${mark} ${text}`);
  if (!v.valid) detail(c.red('✘'), `signature: ${v.message}`);
  if (d.schemeNote) detail(c.yellow('!'), d.schemeNote);
  if (d.duplicate) detail(c.magenta('!'), `token ${v.token} was seen before: a retry or a replay`);
  if (d.jsonError) detail(c.red('✘'), `${d.jsonError}; answered 400`);
  if (d.tooLarge) detail(c.red('✘'), `body of ${d.size} bytes is over --max-body; answered 413`);
  for (const note of d.notes) detail(c.yellow('!'), note);
  if (d.forward?.error) detail(c.red('✘'), d.forward.error.message);
  if (d.forward?.warning) detail(c.yellow('!'), d.forward.warning);
  if (d.forward?.warning && d.forward.answered && d.forward.preview) detail(c.dim('↳'), `app reply: ${d.forward.preview.replace(/\s+/g, ' ').slice(0, 200)}`);
  return lines;
}

/** Everything `idpass listen` reports: the listener's facts and the tunnel supervisor's. */
export type ListenFact = ListenerFact | TunnelFact;

export interface Renderer {
  (fact: ListenFact): void;
}

/** The URL to paste into the Identitypass dashboard for a public tunnel URL. */
export function webhookUrl(base: string): string {
  return `${base.replace(/\/$/, '')}/webhook`;
}

/** Talk about the tunnel, for stderr. Returns no lines for facts not worth a line. */
export function tunnelLines(fact: TunnelFact, c: ChalkInstance, state: { lastCause?: string }): string[] {
  switch (fact.type) {
    case 'tunnel-up': {
      const lines = [
        `${c.green('tunnel up')}  ${c.bold(fact.url)}`,
        `Paste this webhook URL into the Identitypass dashboard (Settings → Merchant Profile → Webhook URL):`,
        `  ${c.cyan(webhookUrl(fact.url))}`,
        c.dim('It is public: anyone with the URL can post to it. Trust a delivery only when its signature is valid.'),
      ];
      if (fact.subdomainRequested && !fact.subdomainGranted) {
        lines.unshift(c.yellow(`warning: asked for the subdomain "${fact.subdomainRequested}" but the tunnel server gave ${fact.url} (taken by someone else?)`));
      }
      state.lastCause = undefined;
      return lines;
    }
    case 'tunnel-unavailable': {
      // say it once per cause, not on every retry
      if (state.lastCause === fact.cause) return [];
      state.lastCause = fact.cause;
      return [c.yellow(`tunnel unavailable: ${fact.cause}`), c.dim('  the local listener keeps serving; retrying in the background (--no-tunnel turns the tunnel off)')];
    }
    case 'tunnel-down':
      state.lastCause = undefined;
      return [c.red(`tunnel down: ${fact.cause}`), c.dim('  reconnecting; the local listener keeps serving')];
    case 'tunnel-restored':
      state.lastCause = undefined;
      return fact.urlChanged
        ? [
            c.yellow(`tunnel restored after ${formatDuration(fact.downtimeMs)} at a NEW URL: ${fact.url}`),
            `  update the Identitypass dashboard webhook URL to ${c.cyan(webhookUrl(fact.url))}`,
          ]
        : [c.green(`tunnel restored after ${formatDuration(fact.downtimeMs)}: ${fact.url}`)];
    default:
      return [];
  }
}

/** Plain lines: deliveries on stdout, talk on stderr. For pipes and non-TTY terminals. */
export function plainRenderer(io: IO, out: ChalkInstance, err: ChalkInstance): Renderer {
  const tunnelState = {};
  return (fact) => {
    if (fact.type.startsWith('tunnel-')) {
      for (const line of tunnelLines(fact as TunnelFact, err, tunnelState)) writeLine(io.stderr, line);
      return;
    }
    switch (fact.type) {
      case 'completed':
        if (!fact.delivery.ignored) for (const line of formatDeliveryLines(fact.delivery, out)) writeLine(io.stdout, line);
        break;
      case 'warning':
        writeLine(io.stderr, err.yellow(`warning: ${fact.message}`));
        break;
      case 'store-error':
        writeLine(io.stderr, err.red(`error: ${fact.message}`));
        break;
      default:
        break;
    }
  };
}

/** NDJSON on stdout, one object per fact that matters to a machine; talk stays on stderr. */
export function jsonRenderer(io: IO, showPii: boolean, err: ChalkInstance): Renderer {
  const tunnelState = {};
  return (fact) => {
    if (fact.type.startsWith('tunnel-')) {
      const lines = tunnelLines(fact as TunnelFact, err, tunnelState);
      // a retry that failed the same way as the last says nothing new: one line per cause
      if (lines.length > 0) writeLine(io.stdout, JSON.stringify(fact));
      for (const line of lines) writeLine(io.stderr, line);
      return;
    }
    switch (fact.type) {
      case 'ready':
        writeLine(io.stdout, JSON.stringify({ type: 'ready', url: fact.url, host: fact.host, port: fact.port }));
        break;
      case 'completed':
        if (!fact.delivery.ignored) writeLine(io.stdout, JSON.stringify(deliveryJson(fact.delivery, showPii)));
        break;
      case 'warning':
        writeLine(io.stderr, `warning: ${fact.message}`);
        break;
      case 'store-error':
        writeLine(io.stderr, `error: ${fact.message}`);
        break;
      default:
        break;
    }
  };
}

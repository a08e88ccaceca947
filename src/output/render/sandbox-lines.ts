/** `idpass sandbox` output: one line per API call and per webhook attempt, and the same as NDJSON. */

import type { ChalkInstance } from 'chalk';
import { deliveryFacts } from '../../core/sandbox/dispatcher.js';
import type { SandboxFact } from '../../core/sandbox/sandbox.js';
import { answerTone, painter, tones } from '../palette.js';
import { writeLine, type IO } from '../io.js';
import { safeJson, visible } from '../sanitize.js';
import type { Renderer } from './renderer.js';

const time = () => new Date().toTimeString().slice(0, 8);
const shortRef = (ref: string | null) => (ref ? ref.slice(0, 8) : '—');

export function sandboxLine(fact: SandboxFact, c: ChalkInstance): string | null {
  const paint = painter(c);
  if (fact.type === 'api') {
    const tone = fact.status === 200 ? (fact.code === '00' ? 'good' : 'warn') : 'bad';
    const result = fact.code ? `${fact.code}${fact.outcome ? ` ${fact.outcome}` : ''}` : '';
    return `${paint.dim(time())} ${fact.method} ${visible(fact.path)}  ${paint[tone](String(fact.status))} ${result}  ${paint.dim(`ref ${shortRef(fact.reference)}`)}`.trimEnd();
  }
  const { delivery } = fact;
  if (fact.type === 'settled') {
    if (delivery.state === 'delivered') return null; // the attempt line said so
    return `${paint.dim(time())} ${paint.bad(`webhook ${delivery.event} ${delivery.id} ${delivery.state}`)} after ${delivery.attempts.length} attempt${delivery.attempts.length === 1 ? '' : 's'}`;
  }
  const a = fact.attempt;
  const answer = a.status === null ? paint.bad(visible(a.error ?? 'no answer')) : paint[answerTone(a.status)](`${a.status}`);
  const outcome = a.delivered
    ? paint.good('delivered')
    : delivery.state === 'retrying'
      ? paint.warn(delivery.nextAt ? `retry at ${delivery.nextAt.slice(11, 19)}` : 'retry scheduled')
      : paint.bad('not delivered');
  const which = a.resend ? 'resend' : `attempt ${a.n}`;
  return `${paint.dim(time())} webhook ${delivery.event} → ${answer} in ${Math.round(a.ms)}ms (${which}, ${delivery.key} key) ${outcome}  ${paint.dim(`${delivery.id} ref ${shortRef(delivery.reference)}`)}`;
}

export function sandboxJson(fact: SandboxFact): Record<string, unknown> {
  if (fact.type === 'api') return { ...fact };
  const delivery = deliveryFacts(fact.delivery);
  return fact.type === 'attempt' ? { type: 'attempt', delivery, attempt: fact.attempt } : { type: 'settled', delivery };
}

/** The sandbox's facts as lines, or NDJSON with --json, on stdout. */
export function sandboxRenderer(io: IO, json: boolean, c: ChalkInstance): Renderer<SandboxFact> {
  return {
    fact: (fact) => {
      if (json) return writeLine(io.stdout, safeJson(sandboxJson(fact)));
      const line = sandboxLine(fact, c);
      if (line) writeLine(io.stdout, line);
    },
    close: async () => undefined,
  };
}

export interface SandboxBanner {
  url: string;
  /** The warning for a bind address other machines reach, if any. */
  exposed: string | null;
  apiKey: boolean;
  webhookUrl: URL | null;
  keys: string;
  pendingDelayMs: number;
  timeScale: number;
}

/** What the sandbox says on stderr once it listens. */
export function sandboxBanner(c: ChalkInstance, b: SandboxBanner): string[] {
  const lines: string[] = [];
  if (b.exposed)
    lines.push(
      tones(c).warn(
        `warning: ${b.exposed.replace('this listener', 'the sandbox API')} (its /__idpass/ admin API still answers this machine only)`,
      ),
    );
  const scale = b.timeScale !== 1 ? ` ÷ ${b.timeScale}` : '';
  const talk = [
    `idpass sandbox ${b.url}  (the Prembly verification API, locally)`,
    `  point your app at it: PREMBLY_BASE_URL=${b.url}; any key-shaped x-api-key${b.apiKey ? ' equal to --api-key' : ''} is accepted`,
    `  webhooks → ${b.webhookUrl ? b.webhookUrl.href : 'nowhere yet (--webhook-url, or PUT /__idpass/webhook-url)'}  (${b.keys})`,
    `  00000000002: PENDING, then the result by webhook after ${b.pendingDelayMs / 1000}s${scale} · idpass sandbox --numbers lists every magic number`,
  ];
  return [...lines, ...talk.map((line) => tones(c).dim(line))];
}

/** What the sandbox says when it stops: the webhooks it never sent, and those whose retries it cancelled. */
export function sandboxStopped(c: ChalkInstance, cancelled: { event: string; id: string; attempts: readonly unknown[] }[]): string {
  const never = cancelled.filter((d) => d.attempts.length === 0).map((d) => `${d.event} ${d.id}`);
  const cut = cancelled
    .filter((d) => d.attempts.length > 0)
    .map((d) => `${d.event} ${d.id} (after ${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'})`);
  const parts: string[] = [];
  if (never.length)
    parts.push(`${never.length} scheduled webhook${never.length === 1 ? '' : 's'} cancelled, never sent: ${never.join(', ')}`);
  if (cut.length) parts.push(`${cut.length} in flight or due for a retry, no further attempt: ${cut.join(', ')}`);
  return tones(c).dim(`stopped${parts.length ? `: ${parts.join('; ')}` : ': no webhook was waiting'}`);
}

import type { ChalkInstance } from 'chalk';
import { deliveryFacts } from '../../core/sandbox/dispatcher.js';
import type { SandboxFact } from '../../core/sandbox/sandbox.js';
import { answerTone, painter } from '../palette.js';
import { visible } from '../sanitize.js';

/** `idpass sandbox` output: one line per API call and per webhook attempt, and the same as NDJSON. */

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
      ? paint.warn(`retry at ${delivery.nextAt?.slice(11, 19)}`)
      : paint.bad('not delivered');
  const which = a.resend ? 'resend' : `attempt ${a.n}`;
  return `${paint.dim(time())} webhook ${delivery.event} → ${answer} in ${Math.round(a.ms)}ms (${which}, ${delivery.key} key) ${outcome}  ${paint.dim(`${delivery.id} ref ${shortRef(delivery.reference)}`)}`;
}

export function sandboxJson(fact: SandboxFact): Record<string, unknown> {
  if (fact.type === 'api') return { ...fact };
  const delivery = deliveryFacts(fact.delivery);
  return fact.type === 'attempt' ? { type: 'attempt', delivery, attempt: fact.attempt } : { type: 'settled', delivery };
}

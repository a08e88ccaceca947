/**
 * Checks that send several deliveries for one reference and, with a state URL, read the app's view
 * of that reference after each step: duplicates, and order and timing.
 */

import { randomUUID } from 'node:crypto';
import { describeExchange, type DoctorContext, type Exchange, type Outgoing } from './context.js';
import { judgeGenuine, premblyOnFailure } from './judge.js';
import type { CheckOutcome, CheckSpec } from './spec.js';

const DIRECT = 'verification.completed';
const RETRY = 'verification.retry.completed';
const PENDING = 'verification.pending';

/** The final result the check sends, as an app's state would name it (not NOT-VERIFIED). */
const FINAL_RESULT = /(?<!NOT[-_ ])VERIFIED/i;

const STATE_HINT = 'give --state-url to see whether it also processed it twice';

interface Step {
  label: string;
  ex: Exchange;
  state: string | null;
}

async function step(ctx: DoctorContext, label: string, out: Outgoing): Promise<Step> {
  const ex = await ctx.send(out);
  return { label, ex, state: await ctx.state(out.reference) };
}

function gotLine(steps: Step[]): string {
  return steps.map((s) => `${s.label} ${describeExchange(s.ex, false)}`).join(' · ');
}

/** The first step that was not answered as Prembly needs, judged, or null when all were. */
function firstFailure(ctx: DoctorContext, steps: Step[], events: string[]): CheckOutcome | null {
  for (const [i, s] of steps.entries()) {
    const info = ctx.info(events[i]!);
    const j = judgeGenuine(s.ex, info, ctx.timeoutMs);
    if (j.ok) continue;
    const status = s.ex.status ?? 0;
    if (s.ex.error === null && status >= 400 && status < 500 && i > 0) return null; // judged by the check itself
    return { verdict: 'fail', sent: '', got: `${s.label}: ${describeExchange(s.ex)}`, status: s.ex.status, prembly: j.prembly, fix: j.fix };
  }
  return null;
}

/** An app's state as the card shows it: whole when short, else its start and its length (the comparison uses all of it). */
function shown(state: string | null): string {
  if (state === null) return '—';
  return state.length <= 200 ? state : `${state.slice(0, 200)}… (${state.length.toLocaleString('en')} characters)`;
}

function changed(a: Step, b: Step): boolean {
  return a.state !== null && b.state !== null && a.state !== b.state;
}

/** The same delivery twice: with the same token (a retry or a replay), or with a new one (a resend). */
export function duplicateCheck(kind: 'same-token' | 'new-token'): CheckSpec {
  return {
    id: `duplicates.${kind}`,
    group: 'duplicates',
    title: kind === 'same-token' ? 'takes the same delivery twice calmly (same token)' : 'takes the same body again with a new token',
    required: true,
    async run(ctx) {
      const first = ctx.genuine(DIRECT);
      const again: Outgoing = kind === 'same-token' ? first : { ...first, headers: { ...first.headers, token: randomUUID() } };
      const steps = [await step(ctx, 'first', first), await step(ctx, 'again', again)];
      const sent = `${DIRECT} twice, reference ${first.reference}, ${kind === 'same-token' ? 'the same bytes and token' : 'the same bytes, a new token'}`;
      const failed = firstFailure(ctx, steps, [DIRECT, DIRECT]);
      if (failed) return { ...failed, sent };
      const [one, two] = steps as [Step, Step];
      const got = gotLine(steps);
      if (changed(one, two)) {
        return {
          verdict: 'fail',
          sent,
          got: `${got}; its state changed: ${shown(one.state)} → ${shown(two.state)}`,
          status: two.ex.status,
          prembly: 'sends the same event more than once (a retry, a dashboard resend, a replayed request)',
          fix: 'processed twice: record a key per handled delivery (the token header, or the reference and event) and skip repeats, still answering 200',
        };
      }
      if (two.ex.status !== 200) {
        return {
          verdict: 'warn',
          sent,
          got,
          status: two.ex.status,
          prembly: `counts a ${two.ex.status ?? 'failed'} answer as a failed delivery: a dashboard resend shows as failed, and an SDK session is sent again (up to 5 attempts)`,
          fix: `answer 200 to a delivery already handled, and skip the work (Prembly's guidance: idempotent)${ctx.stateUrl ? '' : `; ${STATE_HINT}`}`,
        };
      }
      return { verdict: 'pass', sent, got, status: 200, prembly: null, fix: ctx.stateUrl ? null : STATE_HINT };
    },
  };
}

export const finalBeforePendingCheck: CheckSpec = {
  id: 'order.final-before-pending',
  group: 'order',
  title: 'keeps a final result when a pending one arrives after it',
  required: true,
  async run(ctx) {
    const reference = randomUUID();
    const final = ctx.genuine(RETRY, reference);
    const pending = ctx.genuine(PENDING, reference);
    const steps = [await step(ctx, 'final', final), await step(ctx, 'pending', pending)];
    const sent = `${RETRY} (VERIFIED) then ${PENDING}, one reference`;
    const failed = firstFailure(ctx, steps, [RETRY, PENDING]);
    if (failed) return { ...failed, sent };
    const [one, two] = steps as [Step, Step];
    const kept = one.state !== null && FINAL_RESULT.test(one.state) && two.state !== null && FINAL_RESULT.test(two.state);
    // recording the late delivery is fine; losing the final result is not
    if (changed(one, two) && !kept) {
      const lost = FINAL_RESULT.test(one.state!);
      return {
        verdict: lost ? 'fail' : 'warn',
        sent,
        got: `${gotLine(steps)}; its state changed: ${shown(one.state)} → ${shown(two.state)}`,
        status: two.ex.status,
        prembly: 'promises no order: a late or repeated earlier state can arrive after the result',
        fix: lost
          ? 'the late PENDING overwrote the final VERIFIED result: never let an earlier state replace a final VERIFIED / NOT-VERIFIED one for the same reference'
          : 'check that the late PENDING did not replace the final result (the state does not say VERIFIED, so idpass cannot tell)',
      };
    }
    const status = two.ex.status ?? 0;
    if (status !== 200) {
      return { verdict: 'warn', sent, got: gotLine(steps), status, prembly: null, fix: 'answer 200 to a late delivery and ignore it' };
    }
    return {
      verdict: 'pass',
      sent,
      got: gotLine(steps),
      status,
      prembly: null,
      fix: ctx.stateUrl ? null : 'give --state-url to see whether the late pending overwrote the result',
    };
  },
};

export const concurrentCheck: CheckSpec = {
  id: 'order.concurrent',
  group: 'order',
  title: 'takes two deliveries for one reference at the same moment',
  required: true,
  async run(ctx) {
    const reference = randomUUID();
    const a = ctx.genuine(DIRECT, reference);
    const b = ctx.genuine(RETRY, reference);
    const [ea, eb] = await Promise.all([ctx.send(a), ctx.send(b)]);
    const state = await ctx.state(reference);
    const steps: Step[] = [
      { label: DIRECT, ex: ea, state },
      { label: RETRY, ex: eb, state },
    ];
    const sent = `${DIRECT} and ${RETRY} at once, one reference`;
    for (const [i, s] of steps.entries()) {
      const j = judgeGenuine(s.ex, ctx.info(i === 0 ? DIRECT : RETRY), ctx.timeoutMs);
      if (!j.ok) {
        const race =
          (s.ex.status ?? 0) >= 500
            ? 'one of two simultaneous deliveries failed: look for a race on the reference (a unique constraint, a lock) and answer 200 to both'
            : j.fix;
        return { verdict: 'fail', sent, got: gotLine(steps), status: s.ex.status, prembly: j.prembly, fix: race };
      }
    }
    return { verdict: 'pass', sent, got: `${gotLine(steps)}${state ? `; state ${state}` : ''}`, status: 200, prembly: null, fix: null };
  },
};

export const unknownReferenceCheck: CheckSpec = {
  id: 'order.unknown-reference',
  group: 'order',
  title: 'accepts a retry result for a reference it never saw',
  required: true,
  async run(ctx) {
    const out = ctx.genuine(RETRY);
    const ex = await ctx.send(out);
    const info = ctx.info(RETRY);
    const j = judgeGenuine(ex, info, ctx.timeoutMs);
    const sent = `${RETRY} (is_callback_retry) for reference ${out.reference}, never sent before`;
    if (j.ok)
      return {
        verdict: j.slow ? 'warn' : 'pass',
        sent,
        got: describeExchange(ex, false),
        status: ex.status,
        prembly: j.prembly,
        fix: j.fix,
      };
    const status = ex.status ?? 0;
    if (ex.error === null && status >= 400 && status < 500 && status !== 401 && status !== 403) {
      return {
        verdict: 'warn',
        sent,
        got: describeExchange(ex),
        status,
        prembly: premblyOnFailure(info),
        fix: 'record results for references you do not know yet (the API call may not have finished saving), or fetch outstanding results on a schedule',
      };
    }
    return { verdict: 'fail', sent, got: describeExchange(ex), status: ex.status, prembly: j.prembly, fix: j.fix };
  },
};

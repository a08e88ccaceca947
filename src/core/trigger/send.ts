import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TRIGGER_URL } from '../defaults.js';
import { IDENTITYPASS_TIMEOUT_MS } from '../delivery/rules.js';
import { SendError, sendRequest, type SendFailureKind } from '../http/send.js';
import { planTrigger, type DeliveryRole, type PlannedDelivery, type TriggerOptions } from './plan.js';
import type { TamperKind } from './tamper.js';

/** Sending planned deliveries one by one, and what each answer means at Identitypass. */

/**
 * Why an answer did not meet its expectation, as a code. The CLI turns it into advice; a library
 * caller branches on it.
 */
export type DeliveryProblemCode =
  /** No complete reply in time; `timeoutMs` says how long was waited. */
  | 'timeout'
  | 'refused'
  | 'dns'
  | 'reset'
  /** A tampered delivery (or a replayed token) was accepted with a 2xx. */
  | 'tamper-accepted'
  /** A tampered delivery was refused, but not with the expected status. */
  | 'tamper-unexpected-status'
  | 'redirect'
  /** A correctly signed delivery got 401 or 403. */
  | 'genuine-rejected'
  | 'no-handler'
  | 'too-large'
  | 'handler-failed'
  /** A 2xx other than 200 where Identitypass needs exactly 200. */
  | 'not-exactly-200'
  | 'not-delivered';

export interface DeliveryProblem {
  code: DeliveryProblemCode;
  timeoutMs?: number;
}

export interface DeliveryResult {
  event: string;
  role: DeliveryRole;
  tamper: TamperKind | null;
  reference: string | null;
  token: string;
  url: string;
  status: number | null;
  ok: boolean;
  ms: number;
  expected: string;
  /** The first bytes of the receiver's reply, for failures. */
  reply: string | null;
  error: { kind: SendFailureKind; code: string | null; message: string; connected: boolean } | null;
  /** Why the answer falls short, when it does and the reason is known. */
  problem: DeliveryProblem | null;
}

function replyPreview(body: Buffer, truncated: boolean, max = 300): string {
  const text = body.subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
  return text + (body.length > max || truncated ? '…' : '');
}

/** Names what went wrong with a delivery that did not meet its expectation. */
export function diagnose(result: Omit<DeliveryResult, 'problem'>, timeoutMs: number): DeliveryProblem | null {
  if (result.ok) return null;
  const { error, status } = result;
  if (error) {
    if (error.kind === 'timeout') return { code: 'timeout', timeoutMs };
    if (error.kind === 'refused' || error.kind === 'dns' || error.kind === 'reset') return { code: error.kind };
    return null;
  }
  if (status === null) return null;
  if (result.tamper) return { code: status >= 200 && status < 300 ? 'tamper-accepted' : 'tamper-unexpected-status' };
  if (status >= 300 && status < 400) return { code: 'redirect' };
  if (status === 401 || status === 403) return { code: 'genuine-rejected' };
  if (status === 404) return { code: 'no-handler' };
  if (status === 413) return { code: 'too-large' };
  if (status >= 500) return { code: 'handler-failed' };
  if (status >= 200 && status < 300) return { code: 'not-exactly-200' };
  return { code: 'not-delivered' };
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

async function deliver(
  planned: PlannedDelivery,
  url: URL,
  { timeoutMs = IDENTITYPASS_TIMEOUT_MS, signal }: RunOptions,
): Promise<DeliveryResult> {
  const base = {
    event: planned.event,
    role: planned.role,
    tamper: planned.tamper,
    reference: planned.reference,
    token: planned.token,
    url: url.href,
    expected: planned.expect.text,
  };
  let result: Omit<DeliveryResult, 'problem'>;
  try {
    const reply = await sendRequest({ url, headers: planned.headers, body: planned.body, timeoutMs, signal });
    const ok = planned.expect.matches(reply.status);
    result = { ...base, status: reply.status, ok, ms: reply.ms, reply: ok ? null : replyPreview(reply.body, reply.truncated), error: null };
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    result = {
      ...base,
      status: null,
      ok: false,
      ms: error.ms,
      reply: null,
      error: { kind: error.kind, code: error.code ?? null, message: error.message, connected: error.connected },
    };
  }
  return { ...result, problem: diagnose(result, timeoutMs) };
}

/**
 * Sends the planned deliveries one after another, yielding each result as it lands. Stops early
 * when the receiver cannot be reached at all or the signal aborts.
 */
export async function* sendPlanned(planned: PlannedDelivery[], url: URL, options: RunOptions = {}): AsyncGenerator<DeliveryResult> {
  for (const delivery of planned) {
    if (delivery.delayBeforeMs > 0) {
      try {
        await sleep(delivery.delayBeforeMs, undefined, { signal: options.signal });
      } catch {
        return;
      }
    }
    if (options.signal?.aborted) return;
    const result = await deliver(delivery, url, options);
    yield result;
    if (result.error && (!result.error.connected || result.error.kind === 'aborted')) return;
  }
}

/** Library entry point: plans, sends and collects every delivery of a trigger. */
export async function trigger(options: TriggerOptions): Promise<DeliveryResult[]> {
  const planned = planTrigger(options);
  const url = typeof options.url === 'string' ? new URL(options.url) : (options.url ?? new URL(DEFAULT_TRIGGER_URL));
  const results: DeliveryResult[] = [];
  for await (const result of sendPlanned(planned, url, options)) results.push(result);
  return results;
}

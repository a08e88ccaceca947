/** Sending planned deliveries one by one, and what each answer means at Identitypass. */

import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TRIGGER_URL } from '../common/defaults.js';
import { IDENTITYPASS_TIMEOUT_MS } from '../delivery/rules.js';
import type { Agent } from 'node:http';
import { SendError, sendRequest, type HttpReply, type SendFailureKind } from '../http/send.js';
import type { KeyKind } from '../signing/schemes.js';
import { planTrigger } from './plan.js';
import type { TamperKind } from './tamper.js';
import type { DeliveryRole, PlannedDelivery, TriggerOptions } from './types.js';
import { maskUrl } from '../http/url.js';

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
  /** A 3xx where Prembly follows no redirect (workflow runs). */
  | 'redirect'
  /** Redirects followed as Prembly would, and still a 3xx (a loop, or too many hops). */
  | 'too-many-redirects'
  /** A correctly signed delivery got 401 or 403. */
  | 'genuine-rejected'
  | 'no-handler'
  | 'too-large'
  | 'handler-failed'
  /** A 2xx other than 200 where Identitypass needs exactly 200. */
  | 'not-exactly-200'
  /** A resent delivery refused with 409: the app recognised its token (a resend carries the original one). */
  | 'token-seen'
  | 'not-delivered';

export interface DeliveryProblem {
  code: DeliveryProblemCode;
  timeoutMs?: number;
}

/** Met the expectation, but in a way worth knowing about. */
export interface DeliveryWarning {
  /** A 4xx to a delivery the receiver had seen: Prembly counts that as failed (and retries SDK sessions). */
  code: 'replay-refused';
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
  warning: DeliveryWarning | null;
  /** Which key signed it; null when unsigned (an API answer). */
  key: KeyKind | null;
  /** What Prembly really does with this delivery, when it differs from what idpass did. */
  note: string | null;
  /** Set when the delivery was shown, not sent (an API answer): its body. */
  shown: string | null;
  /** The URLs redirects led to, in order, when they were followed. */
  redirects: string[];
}

export function replyPreview(body: Buffer, truncated: boolean, max = 300): string {
  const text = body.subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
  return text + (body.length > max || truncated ? '…' : '');
}

/** Names what went wrong with a delivery that did not meet its expectation. */
export function diagnose(result: Omit<DeliveryResult, 'problem' | 'warning'>, timeoutMs: number): DeliveryProblem | null {
  if (result.ok) return null;
  const { error, status } = result;
  if (error) {
    if (error.kind === 'timeout') return { code: 'timeout', timeoutMs };
    if (error.kind === 'refused' || error.kind === 'dns' || error.kind === 'reset') return { code: error.kind };
    return null;
  }
  if (status === null) return null;
  if (result.role === 'resend' && status === 409) return { code: 'token-seen' };
  if (result.tamper) return { code: status >= 200 && status < 300 ? 'tamper-accepted' : 'tamper-unexpected-status' };
  if (status >= 300 && status < 400) return { code: result.redirects.length > 0 ? 'too-many-redirects' : 'redirect' };
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
  /** Keep-alive connections for many deliveries (load); a fresh connection each by default. */
  agent?: Agent;
  /** Accept a self-signed certificate on an HTTPS receiver. */
  insecure?: boolean;
}

const MAX_REDIRECTS = 5;

/**
 * Sends one request, following redirects when Prembly would for this kind: 307/308 resend the same
 * POST, 301/302/303 become a GET without a body (as HTTP clients do). One time limit covers every hop.
 */
export async function sendFollowing(
  planned: Pick<PlannedDelivery, 'headers' | 'body' | 'followRedirects'>,
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
  agent?: Agent,
  insecure = false,
): Promise<{ reply: HttpReply; redirects: string[]; ms: number }> {
  const started = performance.now();
  const redirects: string[] = [];
  let request = { url, method: 'POST', headers: planned.headers, body: planned.body as Uint8Array };
  for (;;) {
    const left = Math.max(1, timeoutMs - (performance.now() - started));
    const reply: HttpReply = await sendRequest({ ...request, timeoutMs: left, signal, agent: agent ?? false, insecure });
    const location = reply.headers.location;
    const redirected = reply.status >= 300 && reply.status < 400 && typeof location === 'string';
    if (!planned.followRedirects || !redirected || redirects.length >= MAX_REDIRECTS) {
      return { reply, redirects, ms: Math.round((performance.now() - started) * 10) / 10 };
    }
    const next = new URL(location, request.url);
    redirects.push(maskUrl(next));
    if (reply.status === 307 || reply.status === 308) request = { ...request, url: next };
    else {
      const { 'content-type': _type, ...headers } = request.headers;
      request = { url: next, method: 'GET', headers, body: new Uint8Array(0) };
    }
  }
}

/** Sends one planned delivery (or shows it, for an API answer) and judges the answer. */
export async function deliverOne(
  planned: PlannedDelivery,
  url: URL,
  { timeoutMs = IDENTITYPASS_TIMEOUT_MS, signal, agent, insecure }: RunOptions = {},
): Promise<DeliveryResult> {
  const target = planned.url ?? url;
  const base = {
    event: planned.event,
    role: planned.role,
    tamper: planned.tamper,
    reference: planned.reference,
    token: planned.token,
    url: maskUrl(target),
    expected: planned.expect.text,
    key: planned.key,
    note: planned.note,
    shown: null,
  };
  if (planned.send === 'show') {
    const shown = planned.body.toString('utf8');
    return { ...base, status: null, ok: true, ms: 0, reply: null, error: null, redirects: [], shown, problem: null, warning: null };
  }
  let result: Omit<DeliveryResult, 'problem' | 'warning'>;
  try {
    const { reply, redirects, ms } = await sendFollowing(planned, target, timeoutMs, signal, agent, insecure);
    const ok = planned.expect.matches(reply.status);
    const preview = ok ? null : replyPreview(reply.body, reply.truncated);
    result = { ...base, status: reply.status, ok, ms, reply: preview, error: null, redirects };
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    const failure = { kind: error.kind, code: error.code ?? null, message: error.message, connected: error.connected };
    result = { ...base, status: null, ok: false, ms: error.ms, reply: null, error: failure, redirects: [] };
  }
  const refused = result.ok && result.status !== null && planned.preferred !== undefined && !planned.preferred.matches(result.status);
  return { ...result, problem: diagnose(result, timeoutMs), warning: refused ? { code: 'replay-refused' } : null };
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
    const result = await deliverOne(delivery, url, options);
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

/**
 * The pending → final story as Prembly tells it: a direct API call answers PENDING (02, provider
 * down; or 03, wallet empty) with a reference, and the final result arrives later as a
 * retry-flagged delivery for that reference, signed with the live key. Prembly never POSTs the
 * PENDING answer; idpass sends it too (labelled) unless told to only show it or send it elsewhere.
 */

import { findEvent, type EventInfo, type Product } from '../delivery/catalog.js';
import { deliveredStatus, type StatusExpectation } from '../delivery/rules.js';
import { setPath } from './body-edits.js';
import { loadFixture } from './fixtures.js';
import type { PlannedDelivery, Signer, TriggerOptions } from './types.js';
import { randomUUID } from 'node:crypto';

export const PENDING_NOTE = 'Prembly returns this as the API’s answer; it does not POST it';

const REASONS = {
  downtime: { code: '02', detail: 'Verification failed', flag: 'is_callback_retry', final: 'verification.retry.completed' },
  payment: {
    code: '03',
    detail: 'Insufficient wallet balance',
    flag: 'is_pending_payment_retry',
    final: 'verification.payment_retry.completed',
  },
} as const;

export interface PendingPairInput {
  info: EventInfo;
  /** The final result's body (completed or failed), already edited. */
  body: Record<string, unknown>;
  product: Product | undefined;
  options: TriggerOptions;
  signer: Signer;
  /** The expectation the user gave, if any; each delivery's own rule otherwise. */
  expect: StatusExpectation | null;
}

export function planPendingPair({ info, body, product, options, signer, expect }: PendingPairInput): PlannedDelivery[] {
  const reason = REASONS[options.pendingReason ?? 'downtime'];
  const finalInfo = findEvent(reason.final)!;
  const existing =
    body.verification && typeof body.verification === 'object' ? (body.verification as Record<string, unknown>).reference : undefined;
  const reference = typeof existing === 'string' && existing !== '' ? existing : randomUUID();
  setPath(body, info.referencePath, reference);
  body[reason.flag] = true;
  const finalBytes = Buffer.from(JSON.stringify(body));

  const pending = loadFixture('verification.pending', { product, reference });
  pending.response_code = reason.code;
  pending.detail = reason.detail;
  if (typeof body.endpoint_name === 'string') pending.endpoint_name = body.endpoint_name;
  if (body.request_data !== undefined) pending.request_data = body.request_data;
  const pendingBytes = Buffer.from(JSON.stringify(pending));

  const viaApi = options.pendingVia === 'api';
  const pendingTo = options.pendingTo === undefined ? undefined : new URL(options.pendingTo);
  // the API's answer carries no webhook signature; the labelled stand-in delivery does
  const first = viaApi ? { headers: { 'content-type': 'application/json' }, token: '' } : signer(pendingBytes, 'sandbox');
  const finalKey = options.key ?? finalInfo.signedWith;
  const second = signer(finalBytes, finalKey);
  const base = { reference, tamper: null, followRedirects: true } as const;
  return [
    {
      ...base,
      event: 'verification.pending',
      role: 'pending',
      body: pendingBytes,
      headers: first.headers,
      token: first.token,
      expect: expect ?? deliveredStatus('verification.pending'),
      delayBeforeMs: 0,
      key: viaApi ? null : 'sandbox',
      send: viaApi && !pendingTo ? 'show' : 'post',
      ...(pendingTo ? { url: pendingTo } : {}),
      note: PENDING_NOTE,
    },
    {
      ...base,
      event: finalInfo.name,
      role: 'final',
      body: finalBytes,
      headers: second.headers,
      token: second.token,
      expect: expect ?? deliveredStatus(finalInfo.name),
      delayBeforeMs: options.delayMs ?? 2000,
      key: finalKey,
      send: 'post',
      followRedirects: finalInfo.followsRedirects,
      note: null,
    },
  ];
}

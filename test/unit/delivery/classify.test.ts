import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/core/delivery/classify.js';

describe('classify', () => {
  it('names workflow and watchlist bodies by their event field', () => {
    expect(classify({ event: 'workflow.process.failed', data: {} }).event).toBe('workflow.process.failed');
    expect(classify({ event: 'watchlist.identity_flagged', data: { reference: 'w1' } })).toMatchObject({
      event: 'watchlist.identity_flagged',
      reference: 'w1',
    });
  });

  it('ignores an unknown event field and falls back to the shape', () => {
    expect(classify({ event: 'something.else', verification: { status: 'VERIFIED' } }).event).toBe('verification.completed');
  });

  it('takes a non-empty top-level widget_info as a legacy SDK session, an empty one as not', () => {
    expect(classify({ widget_info: { widget_id: 'w' }, verification: { status: 'NOT-VERIFIED' } })).toMatchObject({
      event: 'sdk.session.completed',
      legacyShape: expect.stringMatching(/checker-widget/),
    });
    expect(classify({ widget_info: {}, verification: { status: 'NOT-VERIFIED' } }).event).toBe('verification.failed');
  });

  it('recognises async completions by verification_id and channel_code', () => {
    expect(classify({ data: { verification_id: 'v', channel_code: 'c' }, verification: { status: 'VERIFIED' } }).event).toBe(
      'verification.async.completed',
    );
  });

  it('maps verification.status, and status:false by its response code', () => {
    expect(classify({ verification: { status: 'VERIFIED' } })).toMatchObject({
      event: 'verification.completed',
      legacyShape: expect.stringMatching(/billing_info/),
    });
    expect(classify({ verification: { status: 'NOT-VERIFIED' } }).event).toBe('verification.failed');
    expect(classify({ verification: { status: 'not_verified' } }).event).toBe('verification.failed');
    expect(classify({ verification: { status: 'PENDING' } }).event).toBe('verification.pending');
    expect(classify({ status: false, response_code: '01' }).event).toBe('verification.failed');
    expect(classify({ status: false, response_code: '03' }).event).toBe('verification.failed');
    expect(classify({ status: false, response_code: '02' }).event).toBe('verification.pending');
  });

  it('unwraps the PORTAL and CHECKOUT envelopes', () => {
    const inner = { status: true, response_code: '00', verification: { status: 'VERIFIED', reference: 'p1' }, endpoint_name: 'NIN Basic' };
    expect(classify({ source: 'PORTAL', data: inner })).toMatchObject({
      event: 'verification.completed',
      envelope: 'PORTAL',
      legacyShape: 'PORTAL envelope (Identitypass era)',
      reference: 'p1',
      product: 'NIN Basic',
    });
    expect(classify({ source: 'CHECKOUT', user_info: { email: 'a@example.com' }, data: inner })).toMatchObject({
      envelope: 'CHECKOUT',
      event: 'verification.completed',
    });
    expect(classify({ source: 'API', data: inner, verification: { status: 'PENDING' } })).toMatchObject({
      envelope: null,
      event: 'verification.pending',
    });
  });

  it('extracts result, code meaning, product, reference and retry flag', () => {
    const result = classify({
      status: true,
      response_code: '07',
      detail: 'BVN watch-listed',
      endpoint_name: 'BVN Basic',
      verification: { status: 'NOT-VERIFIED', reference: 'ref-7' },
      is_callback_retry: true,
    });
    expect(result).toEqual({
      event: 'verification.retry.completed',
      legacyShape: null,
      envelope: null,
      identityStatus: 'NOT-VERIFIED',
      callSucceeded: true,
      responseCode: '07',
      responseMeaning: 'BVN blocked or watch-listed',
      product: 'BVN Basic',
      reference: 'ref-7',
      retry: true,
      detail: 'BVN watch-listed',
    });
    expect(classify({ is_pending_payment_retry: true }).retry).toBe(true);
    expect(classify({ response_code: '99' }).responseMeaning).toBe('undocumented code');
  });

  it('returns no event for shapes it does not know, and survives non-objects', () => {
    for (const body of [null, 42, 'text', [], {}, { status: true }]) {
      expect(classify(body).event).toBeNull();
    }
  });

  // One body per catalog kind, built from the documented marker rules alone (prembly-2026.md §2).
  it.each([
    ['sdk.session.completed', { data: { widget_info: { widget_id: 'w' } }, completed_at: '2026-01-01T00:00:00Z' }],
    ['workflow.process.completed', { event: 'workflow.process.completed' }],
    ['workflow.process.failed', { event: 'workflow.process.failed' }],
    ['workflow.process.manual_review', { event: 'workflow.process.manual_review' }],
    ['verification.completed', { verification: { status: 'VERIFIED', reference: 'r' }, billing_info: { was_charged: true } }],
    ['verification.async.completed', { data: { verification_id: 'v', channel_code: 'c' } }],
    ['verification.retry.completed', { is_callback_retry: true, verification: { status: 'VERIFIED' } }],
    ['verification.payment_retry.completed', { is_pending_payment_retry: true, verification: { status: 'VERIFIED' } }],
    ['statement.analysis.completed', { data: { analysis_result: {} } }],
    ['customer360.check.completed', { data: { verification_id: 'v', channel_code: 'c', monitoring_id: 'm' } }],
    ['transaction.processed', { data: { event: 'transaction.processed' } }],
    ['transaction.escalated', { data: { event: 'transaction.escalated' } }],
    ['watchlist.identity_flagged', { event: 'watchlist.identity_flagged' }],
  ])('names %s from its documented marker, as a current shape', (event, body) => {
    expect(classify(body)).toMatchObject({ event, legacyShape: null });
  });

  it('applies the markers in the documented order', () => {
    // a retry flag on a direct-API body is a retry result, not a new match
    expect(classify({ is_callback_retry: true, verification: { status: 'VERIFIED' }, billing_info: {} }).event).toBe(
      'verification.retry.completed',
    );
    // an SDK session carries a verification too
    expect(
      classify({ data: { widget_info: { a: 1 } }, completed_at: 'x', verification: { status: 'VERIFIED' }, billing_info: {} }).event,
    ).toBe('sdk.session.completed');
    // named events win over everything
    expect(classify({ event: 'workflow.process.failed', data: { widget_info: { a: 1 } }, completed_at: 'x' }).event).toBe(
      'workflow.process.failed',
    );
  });

  it('classifies the legacy shapes with the legacy mark', () => {
    expect(classify({ event: 'verification.completed', session_id: 's-1', data: {} })).toMatchObject({
      event: 'sdk.session.completed',
      legacyShape: expect.stringMatching(/example listener/),
    });
    expect(classify({ data: { widget_info: { a: 1 } } })).toMatchObject({
      event: 'sdk.session.completed',
      legacyShape: expect.stringMatching(/without completed_at/),
    });
  });
});

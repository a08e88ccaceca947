/** The shapes of the sandbox's refusals: the newer platform envelope (`errors`, `meta.request_id`) Prembly's 4xx answers carry. */

import { randomUUID } from 'node:crypto';

export const meta = () => ({ timestamp: new Date().toISOString(), version: 'v1', request_id: randomUUID() });

/** A 401/403/404/429 body: the message, what was wrong by field, and the request's id. */
export function errorBody(message: string, errors: Record<string, string[]> = {}): Record<string, unknown> {
  return { status: false, message, errors, meta: meta() };
}

/** HTTP 400 with response code 05, as Prembly answers a number of the wrong shape. */
export function invalidData(field: string, why: string): Record<string, unknown> {
  return {
    status: false,
    response_code: '05',
    detail: 'Invalid request data',
    message: `Invalid request data: ${why}`,
    errors: { [field]: [why] },
    meta: meta(),
  };
}

/** The request as `request_data` echoes it: every field as sent, a long value (an image) summarised. */
export function echoRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body).slice(0, 50)) {
    out[key] = typeof value === 'string' && value.length > 512 ? `[${value.length} characters]` : value;
  }
  return out;
}

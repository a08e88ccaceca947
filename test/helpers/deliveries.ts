import { classify } from '../../src/core/delivery/classify.js';
import type { Delivery } from '../../src/core/delivery/types.js';
import { sign, verify, type Scheme } from '../../src/core/signing/index.js';

export const KEY = 'test_pk_view0test0key0uvwx';
let n = 0;

/** A delivery as the listener would describe it, built with the real signing and classification. */
export function makeDelivery(
  body: unknown,
  options: { scheme?: Scheme; key?: string; forward?: Delivery['forward']; extra?: Partial<Delivery> } = {},
): Delivery {
  const bytes = Buffer.from(JSON.stringify(body));
  const { headers } = sign({ body: bytes, publicKey: options.key ?? KEY, scheme: options.scheme ?? 'prembly-hmac' });
  n += 1;
  return {
    id: `d${String(n).padStart(4, '0')}`,
    receivedAt: new Date(2026, 0, 1, 10, 0, n % 60).toISOString(),
    method: 'POST',
    path: '/webhook',
    headers: Object.entries(headers),
    body: bytes,
    size: bytes.length,
    json: body,
    jsonError: null,
    tooLarge: false,
    verification: verify({ body: bytes, headers, publicKey: KEY }),
    schemeNote: null,
    signatureHint: null,
    duplicate: false,
    classification: classify(body),
    ignored: false,
    notes: [],
    stored: true,
    forward: options.forward ?? null,
    otherForwards: [],
    answerStatus: options.forward?.status ?? 200,
    ...options.extra,
  };
}

export const verified = (ref = 'ref-verified-1') => ({
  status: true,
  response_code: '00',
  endpoint_name: 'BVN Basic',
  data: { bvn: '22200000001', firstName: 'ADA' },
  verification: { status: 'VERIFIED', reference: ref },
});
export const notVerified = () => ({
  status: false,
  response_code: '01',
  endpoint_name: 'NIN Basic',
  data: {},
  verification: { status: 'NOT-VERIFIED', reference: 'ref-failed-1' },
});
export const pending = () => ({
  status: false,
  response_code: '02',
  data: {},
  verification: { status: 'PENDING', reference: 'ref-pending-1' },
});

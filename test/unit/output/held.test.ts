import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../../../src/core/delivery/describe.js';
import { sign } from '../../../src/core/signing/sign.js';
import { heldBytes, LARGE_BODY_BYTES, withoutLargeBody } from '../../../src/output/render/held.js';

const KEY = 'test_pk_held0test0key0abcd';
function described(body: Buffer, extra: [string, string][] = []) {
  const { headers } = sign({ body, publicKey: KEY });
  return describeDelivery({
    id: 'h1',
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/',
    headers: [...Object.entries(headers as Record<string, string>), ...extra],
    body,
    publicKey: KEY,
  });
}

describe('what a view holds of a delivery', () => {
  it('counts a gzip body by what it inflates to: 60 KB on the wire, megabytes parsed, let go of', () => {
    const text = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'gz-1' }, billing_info: {}, pad: 'x'.repeat(5_000_000) });
    const gz = gzipSync(text);
    expect(gz.length).toBeLessThan(100_000);
    const d = described(gz, [['content-encoding', 'gzip']]);
    expect(d.json).toBeDefined();
    expect(heldBytes(d)).toBeGreaterThan(text.length);
    const kept = withoutLargeBody(d);
    expect(kept).toMatchObject({ body: null, json: undefined, bodyReleased: true });
    expect(kept.classification.reference).toBe('gz-1');
  });

  it('keeps an ordinary body, and lets go of an 8 MB one', () => {
    const small = described(Buffer.from(JSON.stringify({ verification: { status: 'VERIFIED' }, billing_info: {} })));
    expect(withoutLargeBody(small)).toBe(small);
    const big = described(
      Buffer.from(JSON.stringify({ verification: { status: 'VERIFIED' }, billing_info: {}, photo: 'A'.repeat(8_000_000) })),
    );
    expect(heldBytes(big)).toBeGreaterThan(LARGE_BODY_BYTES);
    expect(withoutLargeBody(big).body).toBeNull();
  });
});

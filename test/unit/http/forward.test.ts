import { describe, expect, it } from 'vitest';
import { forwardableHeaders } from '../../../src/core/http/forward.js';

describe('forwarding headers', () => {
  it('drops hop-by-hop headers and those named by Connection, keeps casing and repeats', () => {
    const out = forwardableHeaders([
      ['Host', 'example'],
      ['Connection', 'keep-alive, X-Hop'],
      ['X-Hop', '1'],
      ['Content-Length', '10'],
      ['Transfer-Encoding', 'chunked'],
      ['X-Prembly-Signature', 'sig'],
      ['token', 't'],
      ['Accept', 'a'],
      ['accept', 'b'],
    ]);
    expect(out).toEqual({ 'X-Prembly-Signature': 'sig', token: 't', Accept: ['a', 'b'] });
  });
});

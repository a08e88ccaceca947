import { describe, expect, it } from 'vitest';
import { Forwarder, forwardableHeaders } from '../../../src/core/http/forward.js';

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

  it('reads every Connection header, in any casing', () => {
    const out = forwardableHeaders([
      ['connection', 'X-One'],
      ['CONNECTION', 'x-two'],
      ['X-One', '1'],
      ['x-two', '2'],
      ['x-three', '3'],
    ]);
    expect(out).toEqual({ 'x-three': '3' });
  });
});

describe('the forwarded URL', () => {
  it("adds the sender's query when the target has none, keeps the target's own otherwise, and never changes the target", () => {
    const plain = new Forwarder({ target: new URL('http://127.0.0.1:3000/webhook'), timeoutMs: 1000 });
    expect(plain.urlFor('/any').href).toBe('http://127.0.0.1:3000/webhook');
    expect(plain.urlFor('/any?ref=1&x=%20').href).toBe('http://127.0.0.1:3000/webhook?ref=1&x=%20');
    expect(plain.target.href).toBe('http://127.0.0.1:3000/webhook');
    const withQuery = new Forwarder({ target: new URL('http://127.0.0.1:3000/webhook?app=1'), timeoutMs: 1000 });
    expect(withQuery.urlFor('/any?ref=1').href).toBe('http://127.0.0.1:3000/webhook?app=1');
    plain.close();
    withQuery.close();
  });
});

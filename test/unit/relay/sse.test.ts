import { describe, expect, it } from 'vitest';
import { sseEvents } from '../../../src/core/relay/sse.js';

async function* chunks(text: string, size: number) {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) yield new Uint8Array(bytes.subarray(at, at + size));
}

async function read(text: string, size: number, max = 1024 * 1024) {
  const out = [];
  for await (const event of sseEvents(chunks(text, size), max)) out.push(event);
  return out;
}

describe('the relay stream reader', () => {
  const stream =
    'retry: 2000\nevent: hello\ndata: {"lastSeq":2}\n\n: keep-alive\n\nevent: delivery\nid: 1\ndata: {"seq":1,"body":"eyJhIjoxfQ=="}\n\nevent: gap\ndata: {"from":2,"to":2}\n\n';

  it('reads the same events whatever the chunk boundaries (one byte, the blank line split, all at once)', async () => {
    const whole = await read(stream, stream.length);
    expect(whole.map((e) => e.event)).toEqual(['hello', 'delivery', 'gap']);
    expect(whole[1]).toEqual({ event: 'delivery', id: '1', data: '{"seq":1,"body":"eyJhIjoxfQ=="}' });
    for (const size of [1, 2, 3, 7, 64]) expect(await read(stream, size)).toEqual(whole);
  });

  it('ends with an error instead of growing without bound on an event that never ends', async () => {
    await expect(read(`data: ${'x'.repeat(5000)}`, 100, 1000)).rejects.toThrow(/over 1000 bytes/);
  });

  it('multi-line data is joined; a comment-only block yields nothing', async () => {
    expect(await read('data: a\ndata: b\n\n: just a comment\n\n', 4)).toEqual([{ event: 'message', id: null, data: 'a\nb' }]);
  });
});

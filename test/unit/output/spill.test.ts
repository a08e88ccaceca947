import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SpillingWriter } from '../../../src/output/spill.js';

/** A reader that stalls until told to read: what it takes is kept, its callbacks are held until then. */
function stalledReader(highWaterMark = 16 * 1024) {
  const got: Buffer[] = [];
  const held: (() => void)[] = [];
  let flowing = false;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      got.push(chunk);
      if (flowing) done();
      else held.push(done);
    },
  });
  return {
    stream,
    text: () => Buffer.concat(got).toString('utf8'),
    read: () => {
      flowing = true;
      for (const done of held.splice(0)) done();
    },
  };
}

describe('SpillingWriter: a reader that stalls', () => {
  it('keeps the stream’s buffer within the limit while 8 MB of lines wait, then delivers every line in order', async () => {
    const reader = stalledReader();
    const limit = 256 * 1024;
    const writer = new SpillingWriter(reader.stream, limit);
    const line = (i: number) => `{"type":"delivery","n":${i},"pad":"${'x'.repeat(400)}"}\n`;
    let most = 0;
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      writer.write(Buffer.from(line(i)));
      most = Math.max(most, reader.stream.writableLength);
    }
    expect(writer.spilling).toBe(true);
    // bounded: the stream holds at most the limit plus one line; the rest is on disk
    expect(most).toBeLessThanOrEqual(limit + line(total).length);
    reader.read();
    await writer.finished();
    const lines = reader.text().trimEnd().split('\n');
    expect(lines).toHaveLength(total);
    expect(lines.every((l, i) => (JSON.parse(l) as { n: number }).n === i)).toBe(true);
    expect(writer.spilling).toBe(false);
  });

  it('writes straight through while the reader keeps up', async () => {
    const reader = stalledReader();
    reader.read();
    const writer = new SpillingWriter(reader.stream, 1024);
    for (let i = 0; i < 1000; i++) writer.write(Buffer.from(`line ${i}\n`));
    await writer.finished();
    expect(writer.spilling).toBe(false);
    expect(reader.text().split('\n')).toHaveLength(1001);
  });
});

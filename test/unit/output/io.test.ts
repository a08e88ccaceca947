import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineBatch } from '../../../src/output/io.js';

function recorder() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(Buffer.from(chunk).toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('lineBatch', () => {
  it('joins the lines written in one turn into one write, in order, every character intact', async () => {
    const { stream, writes } = recorder();
    const write = lineBatch(stream);
    const lines = ['{"a":"•••••••01"}', '{"name":"Adébáyọ̀ 🙂"}', '', '{"x":"\\u2028"}'];
    for (const line of lines) write(line);
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual([lines.map((l) => `${l}\n`).join('')]);
    write('next');
    await tick();
    expect(writes).toEqual([lines.map((l) => `${l}\n`).join(''), 'next\n']);
  });

  it('lines written from promise callbacks of one turn leave together', async () => {
    const { stream, writes } = recorder();
    const write = lineBatch(stream);
    await Promise.all([1, 2, 3].map(async (n) => write(`line ${n}`)));
    await tick();
    expect(writes).toEqual(['line 1\nline 2\nline 3\n']);
  });

  it('writes a multi-megabyte line whole, in its place among the others', async () => {
    const { stream, writes } = recorder();
    const write = lineBatch(stream);
    const huge = '•'.repeat(2_000_000);
    write('before');
    write(huge);
    write('after');
    await tick();
    expect(writes.join('')).toBe(`before\n${huge}\nafter\n`);
  });
});

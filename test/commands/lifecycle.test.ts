import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/receiver.js';
import { runInProcess } from '../helpers/run-command.js';

/** Whether something accepts connections on 127.0.0.1:port right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('lifecycle steps written once: the ready file', () => {
  // a path whose folder is a file: the ready file cannot be written there
  const unwritable = () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpass-ready-'));
    writeFileSync(join(dir, 'not-a-folder'), '');
    return join(dir, 'not-a-folder', 'ready.json');
  };

  it.each(['sandbox', 'listen'])(
    '%s: a ready file that cannot be written is a usage error, and no server is left running',
    async (command) => {
      const port = await freePort();
      const extra = command === 'listen' ? ['--no-tunnel', '--no-store'] : [];
      const res = await runInProcess([command, '--port', String(port), '--ready-file', unwritable(), ...extra]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/cannot write --ready-file/);
      expect(await accepts(port)).toBe(false);
    },
  );
});

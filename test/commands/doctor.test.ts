import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POSTED_KINDS } from '../helpers/prembly-doc.js';
import { runCommand } from '../helpers/run-command.js';
import { testScope } from '../helpers/scope.js';

/** `idpass doctor` run in process: interruption and the usage errors, with the fake IO. */
const scope = testScope();

describe('idpass doctor (in process)', () => {
  it('Ctrl-C mid-run: exit 130 and how many checks were not run', async () => {
    const app = await scope.receiver(() => ({ status: 200, delayMs: 2_000 }));
    const res = await runCommand(['doctor', app.url, '--only', 'genuine'], { whileRunning: (io) => setTimeout(() => io.interrupt(), 300) });
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(new RegExp(`interrupted: ${POSTED_KINDS.length} of ${POSTED_KINDS.length} checks not run`));
  });

  it('Ctrl-C mid-run with --junit: the report of what ran is still written', async () => {
    const slow = await scope.receiver(() => ({ status: 200, delayMs: 5_000 }));
    const file = join(mkdtempSync(join(tmpdir(), 'idpass-junit-')), 'report.xml');
    // interrupted while the first slow answer is awaited: the report still holds what ran (nothing yet)
    const res = await runCommand(['doctor', slow.url, '--only', 'genuine', '--junit', file], {
      whileRunning: (io) => setTimeout(() => io.interrupt(), 300),
    });
    expect(res.code).toBe(130);
    expect(readFileSync(file, 'utf8')).toMatch(/<testsuites name="idpass doctor" tests="\d+"/);
  });

  it.each([
    [['doctor', ':3000/hook', '--samples', '0'], /--samples.*not a count/],
    [['doctor', ':3000/hook', '--to', ':3001/hook'], /two different handlers given/],
    [['doctor', ':3000/hook', '--skip', 'genuine,schemes,forgery,raw-bytes,duplicates,order,size,speed'], /leaves no check to run/],
    [['doctor', ':3000/hook', '--state-url', 'http://127.0.0.1:3000/state'], /needs \{reference\}/],
    [['doctor', '3000'], /not a port: did you mean http:\/\/127\.0\.0\.1:3000/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const res = await runCommand(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});

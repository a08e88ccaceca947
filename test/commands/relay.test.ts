import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/listen.js';
import { runInProcess } from '../helpers/run-command.js';

/** The relay's flags and listen's relay flags: bad input is a usage error that says how to fix it. */
describe('relay usage', () => {
  const channel = `https://relay.example/in/ch_${'b'.repeat(32)}`;
  const listen = (args: string[], env: Record<string, string> = {}) =>
    runInProcess(['listen', '--port', '0', '--json', ...args], { env: { IDPASS_HOME: tempHome(), ...env } });

  it('listen --relay needs a channel URL and its token, and refuses a plain-HTTP relay beyond this machine', async () => {
    const noToken = await listen(['--relay', channel]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--relay needs the channel token[\s\S]*--relay-token/);
    const notChannel = await listen(['--relay', 'https://relay.example/in/whatever', '--relay-token', 't']);
    expect(notChannel.code).toBe(2);
    expect(notChannel.stderr).toMatch(/is not a channel URL/);
    const plain = await listen(['--relay', channel.replace('https:', 'http:'), '--relay-token', 't']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/plain HTTP: the channel token and every delivery would cross the network in clear/);
    expect(plain.stderr).not.toContain('"t"');
  });

  it('relay serve: a PostgreSQL it cannot reach is a usage error without the password, as are a short admin token and a bad PORT', async () => {
    const pg = await runInProcess(['relay', 'serve', '--port', '0', '--db', 'postgres://u:secret@127.0.0.1:1/relay'], {
      env: { IDPASS_HOME: tempHome() },
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toMatch(/cannot be opened[\s\S]*PostgreSQL runs there/);
    expect(pg.stderr).not.toContain('secret');
    const fromEnv = await runInProcess(['relay', 'serve', '--port', '0'], {
      env: { IDPASS_HOME: tempHome(), DATABASE_URL: 'postgresql://127.0.0.1:1/y' },
    });
    expect(fromEnv.code).toBe(2);
    const short = await runInProcess(['relay', 'serve', '--port', '0', '--admin-token', 'short'], { env: { IDPASS_HOME: tempHome() } });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/too short/);
    const badPort = await runInProcess(['relay', 'serve'], { env: { IDPASS_HOME: tempHome(), PORT: 'eighty' } });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/PORT="eighty" is not a port/);
  });

  it('channel commands need the relay and the admin token, and say when the relay is not there', async () => {
    const missing = await runInProcess(['relay', 'channel', 'list'], { env: { IDPASS_RELAY_URL: '', IDPASS_RELAY_ADMIN_TOKEN: '' } });
    expect(missing.code).toBe(2);
    const away = await runInProcess(['relay', 'channel', 'list', '--relay', 'http://127.0.0.1:1', '--admin-token', 'x'.repeat(20)]);
    expect(away.code).toBe(3);
    expect(away.stderr).toMatch(/could not reach the relay/);
  });
});

import { describe, expect, it } from 'vitest';
import { createDoctorCommand } from '../../src/commands/doctor/doctor.js';
import type { DoctorOptions } from '../../src/commands/doctor/options.js';
import { createListenCommand } from '../../src/commands/listen/listen.js';
import type { ListenOptions } from '../../src/commands/listen/options.js';
import type { Command } from '../../src/commands/program/commander.js';
import type { CommandContext, RunCommand } from '../../src/commands/program/shared-flags.js';
import type { SandboxOptions } from '../../src/commands/sandbox/options.js';
import { createSandboxCommand } from '../../src/commands/sandbox/sandbox.js';
import type { TriggerCommandOptions } from '../../src/commands/trigger/options.js';
import { createTriggerCommand } from '../../src/commands/trigger/trigger.js';
import { createFakeIO } from '../../src/output/fake-io.js';

/**
 * Flags parsed into options without running anything, as gh tests NewCmdX with a runF that
 * records what it was given: no server binds, nothing is sent.
 */
async function parse<O>(create: (ctx: CommandContext, run: RunCommand<O>) => Command, argv: string[]): Promise<O> {
  const io = createFakeIO();
  let got: O | undefined;
  const command = create({ io, exitCode: 0 }, async (options) => {
    got = options;
    return 0;
  });
  command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  await command.parseAsync(argv, { from: 'user' });
  if (got === undefined) throw new Error('the run function was not called');
  return got;
}

describe('flags → options, nothing run', () => {
  it('listen: defaults, several forward targets and routes, headers, a timeout of none', async () => {
    const defaults = await parse<ListenOptions>(createListenCommand, []);
    expect(defaults).toMatchObject({
      port: 4567,
      host: '127.0.0.1',
      // neither --tunnel nor --no-tunnel: on, unless deliveries come from a relay
      tunnel: undefined,
      store: true,
      maxBody: 10 * 1024 * 1024,
      forwardTimeout: 10_000,
    });
    expect(defaults.tunnelHost.href).toBe('https://localtunnel.me/');
    expect(defaults.expectScheme).toBe(false);

    const o = await parse<ListenOptions>(createListenCommand, [
      '--port',
      '0',
      '-f',
      ':3000/hooks',
      '-f',
      'workflow.*=http://localhost:3001/wf',
      '-H',
      'x-env: test',
      '--forward-timeout',
      'none',
      '--no-tunnel',
      '--scheme',
      'prembly-legacy',
      '--wait-for',
      'verification.*',
      '--count',
      '2',
    ]);
    expect(o.port).toBe(0);
    expect(o.forwardTo!.map((t) => [t.pattern ?? null, t.url.href])).toEqual([
      [null, 'http://127.0.0.1:3000/hooks'],
      ['workflow.*', 'http://localhost:3001/wf'],
    ]);
    expect(o.forwardHeader).toEqual([['x-env', 'test']]);
    expect(o.forwardTimeout).toBe(Number.POSITIVE_INFINITY);
    expect(o).toMatchObject({ tunnel: false, scheme: 'prembly-legacy', expectScheme: true, count: 2 });
    expect(o.waitFor!('verification.completed')).toBe(true);
    expect(o.waitFor!('workflow.process.completed')).toBe(false);

    const relayed = await parse<ListenOptions>(createListenCommand, [
      '--relay',
      'https://relay.example/in/ch_' + 'a'.repeat(32),
      '--relay-token',
      't',
    ]);
    expect(relayed).toMatchObject({ relayToken: 't', tunnel: undefined });
    expect(relayed.relay!.href).toBe(`https://relay.example/in/ch_${'a'.repeat(32)}`);
    expect((await parse<ListenOptions>(createListenCommand, ['--relay', 'https://relay.example/in/x', '--tunnel'])).tunnel).toBe(true);
  });

  it('listen: a bad value is refused before anything runs', async () => {
    await expect(parse<ListenOptions>(createListenCommand, ['--port', '70000'])).rejects.toThrow(/not a port/);
    await expect(parse<ListenOptions>(createListenCommand, ['--forward-to', 'ftp://x'])).rejects.toThrow();
    await expect(parse<ListenOptions>(createListenCommand, ['--wait-for', 'verification.complete'])).rejects.toThrow(/did you mean/);
  });

  it('trigger: the event, a product mix, edits, load flags and status expectations', async () => {
    const one = await parse<TriggerCommandOptions>(createTriggerCommand, [
      'verification.completed',
      '--to',
      ':3000/h',
      '--set',
      'a.b=1',
      '--set',
      'c=x',
    ]);
    expect(one.event).toBe('verification.completed');
    expect(one.to.href).toBe('http://127.0.0.1:3000/h');
    expect(one.set).toEqual([
      { path: 'a.b', value: 1 },
      { path: 'c', value: 'x' },
    ]);
    const load = await parse<TriggerCommandOptions>(createTriggerCommand, [
      'verification.completed',
      '--count',
      '50',
      '--concurrency',
      '5',
      '--rate',
      '20/s',
      '--product',
      'bvn,NIN',
      '--expect-status',
      '200,202',
    ]);
    expect(load).toMatchObject({ count: 50, concurrency: 5, rate: 20, product: ['bvn', 'nin'] });
    expect([200, 201, 202].map((s) => load.expectStatus!.matches(s))).toEqual([true, false, true]);
  });

  it('trigger: flags that make no sense together are refused by the builder, not the run', async () => {
    await expect(parse<TriggerCommandOptions>(createTriggerCommand, ['verification.completed', '--rate', '5/s'])).rejects.toThrow(
      /for load runs/,
    );
    await expect(parse<TriggerCommandOptions>(createTriggerCommand, ['verification.completed', '--delay', '1s'])).rejects.toThrow(
      /--pending-first/,
    );
    await expect(parse<TriggerCommandOptions>(createTriggerCommand, ['verification.completed', '--product', 'bvn,nin'])).rejects.toThrow(
      /mix of products/,
    );
  });

  it('sandbox and doctor: defaults and values', async () => {
    const sandbox = await parse<SandboxOptions>(createSandboxCommand, ['--time-scale', '60', '--webhook-url', ':3000/hooks']);
    expect(sandbox).toMatchObject({ port: 4568, host: '127.0.0.1', pendingDelay: 10_000, slowDelay: 5_000, timeScale: 60 });
    expect(sandbox.webhookUrl!.href).toBe('http://127.0.0.1:3000/hooks');
    await expect(parse<SandboxOptions>(createSandboxCommand, ['--time-scale', '0'])).rejects.toThrow(/time scale/);

    const doctor = await parse<DoctorOptions>(createDoctorCommand, [':3000/hooks', '--only', 'genuine,forgery', '--samples', '5']);
    expect(doctor.url!.href).toBe('http://127.0.0.1:3000/hooks');
    expect(doctor).toMatchObject({ samples: 5, timeout: 10_000, only: [['genuine', 'forgery']] });
  });
});

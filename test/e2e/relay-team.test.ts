import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRaw } from '../helpers/receiver.js';
import { startCluster, type TestCluster } from '../helpers/pg-cluster.mjs';
import { expectEachOnce, startRelay, storedReferences, type RunningRelay } from '../helpers/relay.js';
import { testScope } from '../helpers/scope.js';

/** Several relays on one real PostgreSQL (a throwaway cluster on loopback), from the built CLI. */

const KEY = 'test_pk_relay0team0key0abcdef';
const scope = testScope();
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
}, 90_000);
afterAll(() => cluster?.stop());

const deliver = (channelUrl: string, ref: string) => {
  const text = JSON.stringify({ verification: { status: 'VERIFIED', reference: ref }, billing_info: {} });
  return postRaw(`${channelUrl}/hooks`, text, {
    'content-type': 'application/json',
    'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
    token: ref,
  });
};
const on = (relay: RunningRelay, url: string) => url.replace(/^http:\/\/127\.0\.0\.1:\d+/, relay.url);

async function relays(count: number, db: string): Promise<RunningRelay[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startRelay({ args: ['--db', db] })));
  for (const r of started) scope.defer(() => r.stop('SIGKILL'));
  return started;
}

describe('the relay on PostgreSQL, several instances (built binary)', () => {
  it('two relays started at once on an empty database; a delivery stored through one reaches a stream held on the other at once', async () => {
    const [a, b] = await relays(2, await cluster.database());
    const channel = await a!.channel('team');
    const l = await scope.listen(['--public-key', KEY, '--relay', on(b!, channel.url), '--relay-token', channel.token]);
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    const sent = Date.now();
    expect((await deliver(on(a!, channel.url), 'across')).status).toBe(200);
    const [d] = await l.waitForDeliveries(1, 10_000);
    // streams re-check the database every 5 s on their own: sooner than that, it was the notification
    expect(Date.now() - sent).toBeLessThan(4_000);
    expect(d!.reference).toBe('across');
    expect(a!.stderr()).toMatch(/PostgreSQL postgres:\/\/idpass@127\.0\.0\.1:\d+\/relay_/);
  });

  it('live deliveries committed while a stream looks for more are sent, never taken for a retention gap', async () => {
    const [a, b] = await relays(2, await cluster.database());
    const channel = await a!.channel();
    const l = await scope.listen(['--public-key', KEY, '--relay', on(b!, channel.url), '--relay-token', channel.token]);
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    // two senders, one per relay, so commits land while the stream is between its reads
    await Promise.all(
      [a!, b!].map(async (relay, n) => {
        for (let i = 0; i < 150; i++) expect((await deliver(on(relay, channel.url), `live-${n}-${i}`)).status).toBe(200);
      }),
    );
    await l.waitForDeliveries(300, 30_000);
    expect(l.lines.filter((f) => f.type === 'relay-gap')).toEqual([]);
    await l.stop();
    expect(new Set(storedReferences(l.home)).size).toBe(300);
  });

  it('kill -9 of one relay mid-burst while the other keeps serving: every 200 is streamed, nothing twice', async () => {
    const [a, b] = await relays(2, await cluster.database());
    const channel = await a!.channel();
    const answered: string[] = [];
    for (let i = 0; i < 200; i++) {
      const target = i % 2 === 0 ? a! : b!;
      if (i === 100) a!.child.kill('SIGKILL');
      const reply = await deliver(on(target, channel.url), `team-${i}`).catch(() => null);
      if (reply?.status === 200) answered.push(`team-${i}`);
    }
    expect(answered.length).toBeGreaterThanOrEqual(150);
    const l = await scope.listen(['--public-key', KEY, '--relay', on(b!, channel.url), '--relay-token', channel.token]);
    await l.waitForDeliveries(answered.length, 30_000);
    await l.stop();
    expectEachOnce(l.home, answered);
  });

  it('filters on the relay: two clients each get exactly their own, in order, after a backfill; what no filter matches stays for an unfiltered client', async () => {
    const [a] = await relays(1, await cluster.database());
    const channel = await a!.channel('shared');
    const refs = ['alice-1', 'bob-1', 'nobody-1', 'alice-2', 'bob-2', 'alice-3'];
    for (const ref of refs) expect((await deliver(channel.url, ref)).status).toBe(200);
    const client = (name: string, rule: string) =>
      scope.listen([
        '--public-key',
        KEY,
        '--relay',
        channel.url,
        '--relay-token',
        channel.token,
        '--relay-client',
        name,
        '--relay-filter',
        'verification.*',
        '--relay-filter',
        rule,
      ]);
    const alice = await client('alice', 'verification.reference^=alice-');
    const bob = await client('bob', 'verification.reference^=bob-');
    await alice.waitForDeliveries(3);
    await bob.waitForDeliveries(2);
    await alice.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    await bob.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    // live: each new delivery goes only to the client whose rule it matches
    await deliver(channel.url, 'bob-3');
    await bob.waitForDeliveries(3);
    await alice.stop();
    await bob.stop();
    expect(storedReferences(alice.home)).toEqual(['alice-1', 'alice-2', 'alice-3']);
    expect(storedReferences(bob.home)).toEqual(['bob-1', 'bob-2', 'bob-3']);
    // the relay never sent a filtered client a body its rule does not match: read its stream's raw bytes
    const raw = await fetch(`${channel.url.replace('/in/', '/out/')}?filter=${encodeURIComponent('verification.reference=bob-2')}`, {
      headers: { authorization: `Bearer ${channel.token}` },
      signal: AbortSignal.timeout(1500),
    });
    let text = '';
    try {
      for await (const chunk of raw.body!) text += Buffer.from(chunk).toString();
    } catch {
      // the timeout ends the stream
    }
    const bodies = [...text.matchAll(/"body":"([^"]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString());
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain('"bob-2"');
    expect(text).toMatch(/event: skip/);
    const everyone = await scope.listen(['--public-key', KEY, '--relay', channel.url, '--relay-token', channel.token]);
    await everyone.waitForDeliveries(7);
    await everyone.stop();
    expect(storedReferences(everyone.home)).toEqual([...refs, 'bob-3']);
    const bad = await fetch(`${channel.url.replace('/in/', '/out/')}?filter=${encodeURIComponent('no.such.event.*')}`, {
      headers: { authorization: `Bearer ${channel.token}` },
    });
    expect(bad.status).toBe(400);
  });

  it('a named client on a new machine resumes from its own cursor on the relay; metrics and channel list show each client', async () => {
    const [a] = await relays(1, await cluster.database());
    const channel = await a!.channel('cursors');
    for (const ref of ['one', 'two', 'three']) expect((await deliver(channel.url, ref)).status).toBe(200);
    const args = ['--public-key', KEY, '--relay', channel.url, '--relay-token', channel.token, '--relay-client', 'alice'];
    const first = await scope.listen(args);
    await first.waitForDeliveries(3);
    await first.stop();
    const metric = async () =>
      (await (await fetch(`${a!.url}/metrics`)).text()).match(
        new RegExp(`idpass_relay_client_acked_seq\\{channel="${channel.id}",client="alice"\\} (\\d+)`),
      )?.[1];
    expect(await metric()).toBe('3');
    for (const ref of ['four', 'five']) expect((await deliver(channel.url, ref)).status).toBe(200);
    const metrics = await (await fetch(`${a!.url}/metrics`)).text();
    expect(metrics).toContain(`idpass_relay_client_waiting{channel="${channel.id}",client="alice"} 2`);
    // another laptop (an empty store), same client name: it starts where alice's cursor stands
    const second = await scope.listen(args);
    await second.waitForDeliveries(2);
    await second.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    await second.stop();
    expect(storedReferences(second.home)).toEqual(['four', 'five']);
    expect(await metric()).toBe('5');
    // an unnamed client still starts from the beginning
    const everyone = await scope.listen(['--public-key', KEY, '--relay', channel.url, '--relay-token', channel.token]);
    await everyone.waitForDeliveries(5);
    await everyone.stop();
    const list = await fetch(`${a!.url}/admin/channels`, { headers: { authorization: `Bearer ${a!.adminToken}` } });
    const shown = ((await list.json()) as { channels: { id: string; clients: { client: string; ackedSeq: number }[] }[] }).channels;
    expect(shown.find((c) => c.id === channel.id)!.clients.map((c) => [c.client, c.ackedSeq])).toEqual([['alice', 5]]);
    const bad = await fetch(`${channel.url.replace('/in/', '/out/')}?client=${encodeURIComponent('no spaces')}`, {
      headers: { authorization: `Bearer ${channel.token}` },
    });
    expect(bad.status).toBe(400);
  });

  it('graceful shutdown: a delivery in flight is committed and answered, later ones get 503, streams are told to come back and resume', async () => {
    const db = await cluster.database();
    const [a] = await relays(1, db);
    const channel = await a!.channel();
    const l = await scope.listen(['--public-key', KEY, '--relay', channel.url, '--relay-token', channel.token]);
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    // a delivery whose body is still arriving when the relay is told to stop
    const text = JSON.stringify({ verification: { status: 'VERIFIED', reference: 'in-flight' }, pad: 'x'.repeat(100_000) });
    const slow = new Promise<number>((resolve, reject) => {
      const req = request(`${channel.url}/hooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-prembly-signature': createHmac('sha256', KEY).update(text).digest('base64'),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(text.slice(0, 1000));
      setTimeout(() => req.end(text.slice(1000)), 700);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    a!.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const later = await deliver(channel.url, 'too-late').catch(() => ({ status: 0 }));
    expect(await slow).toBe(200);
    // refused outright (503 with Retry-After) or not connected at all: never a 200 it did not keep
    expect([0, 503]).toContain(later.status);
    expect(await a!.exited).toBe(0);
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'reconnecting' && f.cause === 'the relay is shutting down');
    // the same relay back on its port (or any other on the database): the stream resumes
    const back = await startRelay({ port: a!.port, args: ['--db', db] });
    scope.defer(() => back.stop('SIGKILL'));
    expect((await deliver(channel.url, 'after-restart')).status).toBe(200);
    const got = await l.waitForDeliveries(2, 20_000);
    expect(got.map((d) => d.reference)).toEqual(['in-flight', 'after-restart']);
  }, 60_000);

  it('PostgreSQL stopped for 5 s: POSTs get 503, never 200; afterwards ingest and streams recover without restarting the relays', async () => {
    const [a] = await relays(1, await cluster.database());
    const channel = await a!.channel();
    const l = await scope.listen(['--public-key', KEY, '--relay', channel.url, '--relay-token', channel.token]);
    await l.waitForLine((f) => f.type === 'relay-state' && f.state === 'live');
    expect((await deliver(channel.url, 'before')).status).toBe(200);
    await l.waitForDeliveries(1);
    cluster.kill();
    const during: number[] = [];
    const until = Date.now() + 5_000;
    let i = 0;
    while (Date.now() < until) {
      during.push((await deliver(channel.url, `during-${i++}`)).status);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await fetch(`${a!.url}/healthz`)).status).toBe(503);
    cluster.start();
    expect(during.length).toBeGreaterThan(5);
    expect(during.every((s) => s === 503)).toBe(true);
    let after = 0;
    for (let tries = 0; tries < 50 && after !== 200; tries++) {
      after = (await deliver(channel.url, 'after')).status;
      if (after !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(after).toBe(200);
    const shown = await l.waitForDeliveries(2, 30_000);
    expect(shown.map((d) => d.reference)).toEqual(['before', 'after']);
  }, 60_000);
});

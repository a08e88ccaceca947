/**
 * `listen --relay`: a source of deliveries that reads a relay channel's stream. Everything held
 * after the last sequence recorded here comes first, in order, then the live ones. Each goes
 * through the intake like a direct delivery (verified over the exact bytes, recorded, forwarded,
 * shown), marked relayed; the cursor moves, and is acked, only once the delivery is recorded.
 * The cursor is the newer of the store's newest relay mark and a small file beside the store, so
 * a crash between the two never records a delivery twice.
 */

import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RelaySourceFact } from '../receive/facts.js';
import type { DeliveryIntake, DeliverySource } from '../receive/source.js';
import { sseEvents } from './sse.js';

export interface RelaySourceOptions {
  /** The channel's URL: <relay>/in/<channel> (what Prembly posts to) or <relay>/out/<channel>. */
  url: URL;
  token: string;
  /** Where the cursor file lives (the state folder); null keeps the cursor in memory only. */
  stateDir: string | null;
  /** The listener's store folder, to read the newest relay mark from; null when not recording. */
  storeDir: string | null;
  /** The largest event taken from the stream (a body's base64 plus its headers). */
  maxEventBytes?: number;
  /** No byte for this long (heartbeats come every 15 s) and the connection is taken for dead. */
  silenceMs?: number;
}

export const CURSOR_FILE = 'relay-cursors.json';
const MAX_IN_FLIGHT = 64;

/** The relay's base URL and the channel id in a channel URL; null when it is not one. */
export function parseChannelUrl(url: URL): { base: string; channel: string } | null {
  const match = /^(.*)\/(?:in|out)\/(ch_[0-9a-f]{32})\/?$/.exec(url.pathname);
  if (!match) return null;
  return { base: `${url.origin}${match[1]}`, channel: match[2]! };
}

export class RelaySource implements DeliverySource {
  readonly name = 'relay';
  private readonly base: string;
  private readonly channel: string;
  /** The channel URL as shown: its id cut short (anyone who has it can post to the channel). */
  readonly shown: string;
  private cursor = 0;
  private listeners: ((fact: RelaySourceFact) => void)[] = [];
  private stopped = false;
  private connection: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private saveTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private acked = 0;

  constructor(private readonly options: RelaySourceOptions) {
    const parsed = parseChannelUrl(options.url);
    if (!parsed) throw new Error(`${options.url.href} is not a relay channel URL (<relay>/in/ch_…)`);
    this.base = parsed.base;
    this.channel = parsed.channel;
    this.shown = `${this.base}/in/${this.channel.slice(0, 9)}…`;
  }

  onFact(listener: (fact: RelaySourceFact) => void): void {
    this.listeners.push(listener);
  }

  private fact(fact: RelaySourceFact): void {
    for (const listener of this.listeners) listener(fact);
  }

  private get cursorKey(): string {
    return `${this.base}/${this.channel}`;
  }

  /** The newest sequence recorded here: the store's newest relay mark, or the cursor file's, whichever is newer. */
  private async recordedSeq(): Promise<number> {
    let fromFile = 0;
    if (this.options.stateDir) {
      try {
        const all = JSON.parse(await readFile(join(this.options.stateDir, CURSOR_FILE), 'utf8')) as Record<string, unknown>;
        const value = all[this.cursorKey];
        if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) fromFile = value;
      } catch {
        // no cursor yet, or an unreadable one: the store's mark (or the start) it is
      }
    }
    let fromStore = 0;
    if (this.options.storeDir) {
      const { lastRelaySeq } = await import('../store/read.js');
      fromStore = await lastRelaySeq(this.options.storeDir, this.channel);
    }
    return Math.max(fromFile, fromStore);
  }

  async start(intake: DeliveryIntake): Promise<void> {
    this.cursor = await this.recordedSeq();
    this.acked = this.cursor;
    this.fact({ type: 'relay-mode', url: this.shown });
    this.loop = this.run(intake);
  }

  private async run(intake: DeliveryIntake): Promise<void> {
    let attempt = 0;
    let since: string | null = null;
    while (!this.stopped) {
      this.fact(
        since
          ? { type: 'relay-state', state: 'reconnecting', url: this.shown, since }
          : { type: 'relay-state', state: 'connecting', url: this.shown },
      );
      try {
        const refused = await this.connect(intake, () => {
          attempt = 0;
          since = null;
        });
        if (refused) return this.fact({ type: 'relay-state', state: 'refused', url: this.shown, cause: refused });
        throw new Error('the relay ended the stream');
      } catch (error) {
        if (this.stopped) break;
        since ??= new Date().toISOString();
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        this.fact({ type: 'relay-state', state: 'reconnecting', url: this.shown, since, cause });
        // 0.5 s, 1 s, 2 s … up to 30 s, with a little jitter so many clients do not come back at once
        const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6)) * (0.8 + Math.random() * 0.4);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wakeFromWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeFromWait = null;
      }
    }
  }

  private wakeFromWait: (() => void) | null = null;

  /** One connection: resolves with why the relay refused us, or throws when the stream broke. */
  private async connect(intake: DeliveryIntake, connected: () => void): Promise<string | null> {
    const controller = new AbortController();
    this.connection = controller;
    const silence = this.options.silenceMs ?? 45_000;
    let watchdog = setTimeout(() => controller.abort(new Error('the relay went silent')), silence);
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(new Error('the relay went silent')), silence);
    };
    try {
      const res = await fetch(`${this.base}/out/${this.channel}?after=${this.cursor}`, {
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'text/event-stream', 'last-event-id': String(this.cursor) },
        signal: controller.signal,
      });
      if (res.status === 401) return 'the relay refused the token: check --relay-token (relay channel create printed it)';
      if (res.status === 404) return 'the relay has no such channel: check --relay (relay channel list shows them)';
      if (!res.ok || !res.body) throw new Error(`the relay answered ${res.status}`);
      const counted = (async function* (body: AsyncIterable<Uint8Array>) {
        for await (const chunk of body) {
          alive();
          yield chunk;
        }
      })(res.body);
      let behind = 0;
      let lastSaid = 0;
      for await (const event of sseEvents(counted, this.options.maxEventBytes ?? 64 * 1024 * 1024)) {
        if (event.event === 'hello') {
          connected();
          const hello = JSON.parse(event.data) as { lastSeq?: number };
          behind = Math.max(0, (hello.lastSeq ?? 0) - this.cursor);
          this.fact(
            behind > 0
              ? { type: 'relay-state', state: 'catching-up', url: this.shown, behind }
              : { type: 'relay-state', state: 'live', url: this.shown },
          );
        } else if (event.event === 'gap') {
          const gap = JSON.parse(event.data) as { from: number; to: number };
          if (gap.to <= this.cursor) continue;
          this.fact({
            type: 'relay-gap',
            url: this.shown,
            from: gap.from,
            to: gap.to,
            dropped: gap.to - Math.max(gap.from, this.cursor + 1) + 1,
          });
          behind = Math.max(0, behind - (gap.to - this.cursor));
          this.cursor = gap.to;
          this.saveSoon();
        } else if (event.event === 'delivery') {
          if (!(await this.take(intake, event.data))) continue;
          if (behind > 0) {
            behind--;
            const now = Date.now();
            if (behind === 0) this.fact({ type: 'relay-state', state: 'live', url: this.shown });
            else if (now - lastSaid > 250) {
              lastSaid = now;
              this.fact({ type: 'relay-state', state: 'catching-up', url: this.shown, behind });
            }
          }
        }
        if (this.stopped) return null;
      }
      if (!this.stopped) throw new Error('the relay ended the stream');
      return null;
    } finally {
      clearTimeout(watchdog);
      this.connection = null;
    }
  }

  /** Hands one streamed delivery to the intake; resolves once it is recorded. False when it was one already recorded. */
  private async take(intake: DeliveryIntake, data: string): Promise<boolean> {
    const event = JSON.parse(data) as {
      seq: number;
      receivedAt: string;
      method: string;
      path: string;
      query: string;
      headers: [string, string][];
      body: string;
    };
    if (!Number.isSafeInteger(event.seq) || event.seq <= this.cursor) return false;
    const body = Buffer.from(event.body, 'base64');
    const heldMs = Math.max(0, Date.now() - Date.parse(event.receivedAt)) || 0;
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    await new Promise<void>((recorded) => {
      const done = intake
        .receive(
          {
            method: event.method,
            path: `${event.path}${event.query ? `?${event.query}` : ''}`,
            headers: event.headers,
            body,
            size: body.length,
            relayed: { channel: this.channel, seq: event.seq, receivedAt: event.receivedAt, heldMs },
            onRecorded: () => recorded(),
          },
          () => undefined,
        )
        .catch(() => recorded())
        .finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    });
    this.cursor = event.seq;
    this.saveSoon();
    this.ackSoon();
    return true;
  }

  private saveSoon(): void {
    if (!this.options.stateDir || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveCursor();
    }, 200);
  }

  private async saveCursor(): Promise<void> {
    const dir = this.options.stateDir;
    if (!dir) return;
    const file = join(dir, CURSOR_FILE);
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // a first cursor
    }
    all[this.cursorKey] = this.cursor;
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(all), { mode: 0o600, flag: 'wx' });
      await rename(temp, file);
    } catch {
      // the store's relay marks still say how far we got
    }
  }

  private ackSoon(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      void this.ack();
    }, 500);
  }

  private async ack(): Promise<void> {
    if (this.cursor <= this.acked) return;
    const seq = this.cursor;
    try {
      const res = await fetch(`${this.base}/out/${this.channel}/ack`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ seq }),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      if (res.ok) this.acked = Math.max(this.acked, seq);
    } catch {
      // the next ack carries it
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connection?.abort(new Error('stopping'));
    this.wakeFromWait?.();
    await this.loop?.catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.saveTimer = null;
    this.ackTimer = null;
    await this.saveCursor();
    await this.ack();
  }
}

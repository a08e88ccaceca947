/**
 * `listen --relay`: a source of deliveries that reads a relay channel's stream. Everything held
 * after the last sequence recorded here comes first, in order, then the live ones. Each goes
 * through the intake like a direct delivery (verified over the exact bytes, recorded, forwarded,
 * shown), marked relayed; the cursor moves, and is acked, only once the delivery is recorded.
 * The cursor is the newer of the store's newest relay mark and a small file beside the store, so
 * a crash between the two never records a delivery twice.
 */

import type { RelaySourceFact } from '../receive/facts.js';
import { PARSE_OFF_THREAD_BYTES } from '../delivery/parse-off-thread.js';
import type { Delivery } from '../delivery/types.js';
import type { DeliveryIntake, DeliverySource } from '../receive/source.js';
import { parseChannelUrl, postAck, readCursor, streamRequest, writeCursor } from './cursor.js';

export { parseChannelUrl };
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
  /** This client's name: its own cursor (several developers, or several terminals, on one channel). */
  client?: string;
  /** Rules the relay applies before sending (event patterns, dot.path=value, dot.path^=prefix): all must match. */
  filters?: string[];
  /** No byte for this long (heartbeats come every 15 s) and the connection is taken for dead. */
  silenceMs?: number;
}

/** Deliveries handed to the intake whose forwards are still running. */
const MAX_IN_FLIGHT = 256;
/** Deliveries handed to the intake and not yet recorded. */
const MAX_UNRECORDED = 512;

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
  /** The newest sequence handed to the intake (at or past the cursor). */
  private handed = 0;
  private readonly unrecorded = new Map<number, Promise<void>>();
  /** Recorded, but past a sequence still unrecorded: the cursor moves over them once the gap closes. */
  private readonly recordedAhead = new Set<number>();
  private recordFailed = false;
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

  /** One cursor per channel and client name: two clients of one channel on this machine keep their own. */
  private get cursorKey(): string {
    return `${this.base}/${this.channel}${this.options.client ? `#${this.options.client}` : ''}`;
  }

  /** The newest sequence recorded here: the store's newest relay mark, or the cursor file's, whichever is newer. */
  private async recordedSeq(): Promise<number> {
    const fromFile = this.options.stateDir ? await readCursor(this.options.stateDir, this.cursorKey) : 0;
    let fromStore = 0;
    if (this.options.storeDir) {
      const { lastRelaySeq } = await import('../store/read.js');
      fromStore = await lastRelaySeq(this.options.storeDir, this.channel);
    }
    return Math.max(fromFile, fromStore);
  }

  async start(intake: DeliveryIntake): Promise<void> {
    this.cursor = await this.recordedSeq();
    this.handed = this.cursor;
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
        // what was handed over is recorded before asking again, from the cursor on
        await this.allRecorded();
        this.handed = this.cursor;
        this.recordFailed = false;
        if (this.stopped) break;
        since ??= new Date().toISOString();
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        this.fact({ type: 'relay-state', state: 'reconnecting', url: this.shown, since, cause });
        // 0.5 s, 1 s, 2 s … up to 30 s, with a little jitter so many clients do not come back at once
        const wait = this.comeBackIn ?? Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6)) * (0.8 + Math.random() * 0.4);
        this.comeBackIn = undefined;
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
  /** Set by the relay's `closing` event: how long to wait before coming back. */
  private comeBackIn: number | undefined;

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
      const { url, headers, fromRelay } = streamRequest(`${this.base}/out/${this.channel}`, this.cursor, this.options);
      const res = await fetch(url, { headers, signal: controller.signal });
      if (res.status === 401) return 'the relay refused the token: check --relay-token (relay channel create printed it)';
      if (res.status === 404) return 'the relay has no such channel: check --relay (relay channel list shows them)';
      if (res.status === 400)
        return `the relay refused the request: ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? 'bad request'}`;
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
          const hello = JSON.parse(event.data) as { lastSeq?: number; after?: number };
          if (fromRelay && Number.isSafeInteger(hello.after) && hello.after! > this.cursor) await this.jumpTo(hello.after!);
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
          behind = Math.max(0, behind - (gap.to - this.handed));
          await this.jumpTo(gap.to);
        } else if (event.event === 'skip') {
          // deliveries this client's filter does not match: passed over, never sent
          const { to } = JSON.parse(event.data) as { to: number };
          if (to <= this.handed) continue;
          behind = Math.max(0, behind - (to - this.handed));
          await this.jumpTo(to);
          if (behind === 0) this.fact({ type: 'relay-state', state: 'live', url: this.shown });
        } else if (event.event === 'closing') {
          // the relay is shutting down: come back after its hint (to it restarted, or another instance)
          const { retryMs } = JSON.parse(event.data) as { retryMs?: number };
          this.comeBackIn = Math.min(30_000, Math.max(100, Number(retryMs) || 1_000));
          throw new Error('the relay is shutting down');
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

  /**
   * Hands one streamed delivery to the intake. An ordinary one is not waited for: the intake
   * records deliveries in the order it is handed them (the store appends in call order, several
   * to a write), so a backfill goes at the store's pace, not one write per delivery. A large or
   * compressed one, parsed on a worker, is handed alone, once everything before it is recorded, so
   * the order on disk stays the order of the sequence. False when it was one already recorded.
   */
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
    if (!Number.isSafeInteger(event.seq) || event.seq <= this.handed) return false;
    if (this.recordedAhead.has(event.seq)) {
      this.handed = event.seq;
      return false;
    }
    if (this.recordFailed) throw new Error('the store could not record a relayed delivery: it is asked for again');
    const body = Buffer.from(event.body, 'base64');
    const heldMs = Math.max(0, Date.now() - Date.parse(event.receivedAt)) || 0;
    const alone = body.length > PARSE_OFF_THREAD_BYTES || event.headers.some(([name]) => name.toLowerCase() === 'content-encoding');
    if (alone) await this.allRecorded();
    while (this.inFlight.size >= MAX_IN_FLIGHT || this.unrecorded.size >= MAX_UNRECORDED)
      await Promise.race([...this.inFlight, ...this.unrecorded.values()]);
    this.handed = event.seq;
    let recorded!: () => void;
    const waiting = new Promise<void>((resolve) => (recorded = resolve));
    this.unrecorded.set(event.seq, waiting);
    const onRecorded = (delivery?: Delivery) => {
      if (!this.unrecorded.has(event.seq)) return;
      this.unrecorded.delete(event.seq);
      // recording is on and this one did not make it: the cursor stays before it, and the stream is asked again
      if (this.options.storeDir && delivery?.stored !== true) this.recordFailed = true;
      else this.recordedAhead.add(event.seq);
      this.advance();
      recorded();
    };
    const done = intake
      .receive(
        {
          method: event.method,
          path: `${event.path}${event.query ? `?${event.query}` : ''}`,
          headers: event.headers,
          body,
          size: body.length,
          relayed: { channel: this.channel, seq: event.seq, receivedAt: event.receivedAt, heldMs },
          onRecorded,
        },
        () => undefined,
      )
      .catch(() => onRecorded())
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    if (alone) await waiting;
    return true;
  }

  /** Moves the cursor to `seq` over deliveries that will never come (dropped, or filtered out), once all before are recorded. */
  private async jumpTo(seq: number): Promise<void> {
    await this.allRecorded();
    if (seq <= this.cursor) return;
    this.cursor = seq;
    this.handed = Math.max(this.handed, seq);
    for (const s of this.recordedAhead) if (s <= seq) this.recordedAhead.delete(s);
    this.advance();
    this.saveSoon();
    this.ackSoon();
  }

  /** Moves the cursor over every sequence recorded without a gap before it. */
  private advance(): void {
    const before = this.cursor;
    while (this.recordedAhead.has(this.cursor + 1)) this.recordedAhead.delete(++this.cursor);
    if (this.cursor === before) return;
    this.saveSoon();
    this.ackSoon();
  }

  /** Resolves once every delivery handed over has been recorded (or failed to be). */
  private async allRecorded(): Promise<void> {
    while (this.unrecorded.size > 0) await Promise.all([...this.unrecorded.values()]);
  }

  private saveSoon(): void {
    if (!this.options.stateDir || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveCursor();
    }, 200);
  }

  private async saveCursor(): Promise<void> {
    if (this.options.stateDir) await writeCursor(this.options.stateDir, this.cursorKey, this.cursor);
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
    if (await postAck(`${this.base}/out/${this.channel}/ack`, this.options.token, seq, this.options.client))
      this.acked = Math.max(this.acked, seq);
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

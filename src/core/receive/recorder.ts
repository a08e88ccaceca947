import type { EncodedDelivery, StoredLine } from '../store/codec.js';
import type { DeliveryStore } from '../store/log.js';
import { readRecentTokens } from '../store/read.js';
import type { ListenerFact } from './facts.js';
import type { TokenWindow } from './token-window.js';

/**
 * The listener's side of the store: opens it (seeding the token window from what it holds) and
 * appends lines. A write that fails (a full disk) is said once; every later delivery still tries,
 * and the first that is recorded again says so, with how many were answered unrecorded meanwhile.
 * Deliveries keep being answered whatever happens to the disk.
 */
export class Recorder {
  /** The store could not be opened: nothing is recorded this run. */
  private broken = false;
  /** Writes are failing: said once, until one succeeds. */
  private failing = false;
  private missed = 0;

  constructor(
    private readonly store: DeliveryStore | null,
    private readonly emit: (fact: ListenerFact) => void,
  ) {}

  /** The file deliveries go to, or null when nothing is being recorded. */
  get file(): string | null {
    return this.store && !this.broken ? this.store.file : null;
  }

  async open(tokens: TokenWindow): Promise<void> {
    const store = this.store;
    if (!store) return;
    let said = false;
    try {
      await store.open();
      for (const message of store.warnings) this.emit({ type: 'warning', message });
      said = true;
      // duplicate detection needs recent tokens only: read them from the tail, not the whole store
      const { tokens: recent, unreadable } = await readRecentTokens(store.dir);
      for (const token of recent.slice(-tokens.capacity)) tokens.remember(token);
      if (unreadable.length) {
        const lines = `line ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}`;
        const count = `${unreadable.length} unreadable line${unreadable.length > 1 ? 's' : ''}`;
        this.emit({ type: 'warning', message: `the store ${store.file} has ${count} (${lines}); skipped` });
      }
    } catch (error) {
      this.broken = true;
      // what was found about the folder before the store was refused (a 0777 folder) is still said
      if (!said) for (const message of store.warnings) this.emit({ type: 'warning', message });
      this.emit({ type: 'store-error', phase: 'open', path: store.dir, cause: (error as Error).message });
    }
  }

  /** Appends lines; false when they were not recorded. */
  async record(...lines: (StoredLine | EncodedDelivery)[]): Promise<boolean> {
    if (!this.store || this.broken) return false;
    try {
      await this.store.append(...lines);
    } catch (error) {
      if (lines.some((line) => line.kind === 'delivery' || line.kind === 'encoded-delivery')) this.missed++;
      if (!this.failing) this.emit({ type: 'store-error', phase: 'write', path: this.store.file, cause: (error as Error).message });
      this.failing = true;
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.emit({ type: 'store-resumed', path: this.store.file, missed: this.missed });
      this.missed = 0;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
  }
}

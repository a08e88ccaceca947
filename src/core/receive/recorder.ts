import type { StoredLine } from '../store/codec.js';
import type { DeliveryStore } from '../store/log.js';
import { readRecentTokens } from '../store/read.js';
import type { ListenerFact } from './facts.js';
import type { TokenWindow } from './token-window.js';

/**
 * The listener's side of the store: opens it (seeding the token window from what it holds),
 * appends lines, and on the first failure says so once and stops trying, so deliveries keep
 * being answered whatever happens to the disk.
 */
export class Recorder {
  private broken = false;

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
    try {
      // duplicate detection needs recent tokens only: read them from the tail, not the whole store
      const { tokens: recent, unreadable } = await readRecentTokens(store.dir);
      for (const token of recent.slice(-tokens.capacity)) tokens.remember(token);
      if (unreadable.length) {
        const lines = `line ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}`;
        const count = `${unreadable.length} unreadable line${unreadable.length > 1 ? 's' : ''}`;
        this.emit({ type: 'warning', message: `the store ${store.file} has ${count} (${lines}); skipped` });
      }
      await store.open();
      for (const message of store.warnings) this.emit({ type: 'warning', message });
    } catch (error) {
      this.broken = true;
      this.emit({ type: 'store-error', phase: 'open', path: store.dir, cause: (error as Error).message });
    }
  }

  /** Appends lines; false when they were not recorded. */
  async record(...lines: StoredLine[]): Promise<boolean> {
    if (!this.store || this.broken) return false;
    try {
      await this.store.append(...lines);
      return true;
    } catch (error) {
      this.broken = true;
      this.emit({ type: 'store-error', phase: 'write', path: this.store.file, cause: (error as Error).message });
      return false;
    }
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
  }
}

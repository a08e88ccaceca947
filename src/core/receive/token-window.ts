import { createHash } from 'node:crypto';

/**
 * The most recent delivery tokens, for telling a retry or replay from a first delivery. Bounded:
 * past `capacity` the oldest token is forgotten. Shared by the listener and the middleware.
 *
 * The order of arrival is kept in a ring beside the set, so forgetting the oldest is one step. (Asking
 * a Set for its first value after many deletions walks every deleted slot: 10–18 µs a delivery once
 * 50,000 tokens had passed.)
 */
/** Tokens longer than this are kept as their SHA-256: 10,000 tokens of 15 KB would otherwise hold 150 MB. */
const LONGEST_KEPT = 128;

function keyOf(token: string): string {
  return token.length > LONGEST_KEPT ? `sha256:${createHash('sha256').update(token).digest('hex')}` : token;
}

export class TokenWindow {
  /** Each token with the ring slot it was last remembered in. */
  private readonly tokens = new Map<string, number>();
  private readonly ring: string[] = [];
  private next = 0;

  /** `capacity` 0 remembers nothing: no delivery is ever taken for a repeat. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError(`a token window holds a whole number of tokens, not ${capacity}`);
  }

  /** Records the token and tells whether it was seen before. Empty tokens are never duplicates. */
  seen(token: string | null | undefined): boolean {
    if (!token) return false;
    if (this.has(token)) return true;
    this.remember(token);
    return false;
  }

  has(token: string): boolean {
    return this.tokens.has(keyOf(token));
  }

  /** Forgets a token (a handler that failed gets its retry). */
  forget(token: string): void {
    this.tokens.delete(keyOf(token));
  }

  /** Adds a token without asking (seeding from the store). */
  remember(given: string): void {
    if (this.capacity === 0) return;
    const token = keyOf(given);
    if (this.tokens.has(token)) return;
    const slot = this.next;
    const oldest = this.ring[slot];
    // a slot whose token was forgotten (and maybe remembered again elsewhere) no longer owns it
    if (oldest !== undefined && this.tokens.get(oldest) === slot) this.tokens.delete(oldest);
    this.ring[slot] = token;
    this.tokens.set(token, slot);
    this.next = (slot + 1) % this.capacity;
  }
}

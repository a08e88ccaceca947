/**
 * The most recent delivery tokens, for telling a retry or replay from a first delivery. Bounded:
 * past `capacity` the oldest token is forgotten. Shared by the listener and the middleware.
 *
 * The order of arrival is kept in a ring beside the set, so forgetting the oldest is one step. (Asking
 * a Set for its first value after many deletions walks every deleted slot: 10–18 µs a delivery once
 * 50,000 tokens had passed.)
 */
export class TokenWindow {
  /** Each token with the ring slot it was last remembered in. */
  private readonly tokens = new Map<string, number>();
  private readonly ring: string[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  /** Records the token and tells whether it was seen before. Empty tokens are never duplicates. */
  seen(token: string | null | undefined): boolean {
    if (!token) return false;
    if (this.tokens.has(token)) return true;
    this.remember(token);
    return false;
  }

  has(token: string): boolean {
    return this.tokens.has(token);
  }

  /** Forgets a token (a handler that failed gets its retry). */
  forget(token: string): void {
    this.tokens.delete(token);
  }

  /** Adds a token without asking (seeding from the store). */
  remember(token: string): void {
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

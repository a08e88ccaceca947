/**
 * The most recent delivery tokens, for telling a retry or replay from a first delivery. Bounded:
 * past `capacity` the oldest token is forgotten. Shared by the listener and the middleware.
 */
export class TokenWindow {
  private readonly tokens = new Set<string>();

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

  forget(token: string): void {
    this.tokens.delete(token);
  }

  /** Adds a token without asking (seeding from the store). */
  remember(token: string): void {
    if (this.tokens.has(token)) return;
    if (this.tokens.size >= this.capacity) this.tokens.delete(this.tokens.values().next().value!);
    this.tokens.add(token);
  }
}

/**
 * What the inspector lists: one small summary per delivery, newest last, bounded in count. Bodies
 * are not held: a stored delivery is read back from the store when opened; one the store did not
 * keep (`--no-store`, a failing disk) is held in memory within a byte budget, oldest let go first.
 */

import type { DeliveryRecord, StoredDelivery, StoredOutcome } from '../../core/store/codec.js';

export interface Summary {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  event: string | null;
  result: string | null;
  reference: string | null;
  token: string | null;
  signature: { valid: boolean; reason: string | null; scheme: string | null; key: string | null };
  /** What the app answered (the first target); null when not forwarded or not answered yet. */
  appStatus: number | null;
  /** What the sender got; null until answered. */
  answerStatus: number | null;
  duplicate: boolean;
  relayed: boolean;
  size: number;
  tooLarge: boolean;
  jsonError: boolean;
}

interface Entry {
  summary: Summary;
  outcome?: StoredOutcome;
  /** Where the store has it, when read from the store. */
  place?: { offset: number; length: number };
  /** Held when the store did not keep it. */
  held?: StoredDelivery;
}

export function summaryOf(r: StoredDelivery, outcome?: StoredOutcome): Summary {
  const v = r.verification;
  return {
    id: r.id,
    receivedAt: r.receivedAt,
    method: r.method,
    path: r.path,
    event: r.event,
    result: r.identityStatus,
    reference: r.reference,
    token: v?.token ?? null,
    signature: { valid: v?.valid === true, reason: v?.reason ?? null, scheme: v?.scheme ?? null, key: v?.key ?? null },
    appStatus: outcome?.forward?.status ?? null,
    answerStatus: outcome?.answerStatus ?? null,
    duplicate: r.duplicate,
    relayed: Boolean(r.relay),
    size: r.size,
    tooLarge: r.tooLarge,
    jsonError: r.jsonError !== null,
  };
}

export interface ListQuery {
  event?: string;
  result?: string;
  /** `valid` or `invalid`. */
  signature?: string;
  /** `2xx`, `4xx`, `5xx`, `none` or a status. */
  status?: string;
  /** Matches the id, reference, token, path or event (any case). */
  q?: string;
  /** Only deliveries older than this id (the next page). */
  before?: string;
  limit: number;
}

function statusMatches(s: Summary, wanted: string): boolean {
  const status = s.appStatus;
  if (wanted === 'none') return status === null || status === 0;
  if (/^[1-5]xx$/.test(wanted)) return status !== null && Math.floor(status / 100) === Number(wanted[0]);
  return String(status) === wanted;
}

export function matches(s: Summary, q: Omit<ListQuery, 'limit' | 'before'>, textIds?: Set<string>): boolean {
  if (q.event && s.event !== q.event && !(q.event === 'unrecognised' && s.event === null)) return false;
  if (q.result && (s.result ?? 'none') !== q.result) return false;
  if (q.signature && s.signature.valid !== (q.signature === 'valid')) return false;
  if (q.status && !statusMatches(s, q.status)) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    const fields = [s.id, s.reference, s.token, s.path, s.event];
    if (!fields.some((f) => f?.toLowerCase().includes(needle)) && !textIds?.has(s.id)) return false;
  }
  return true;
}

export class Catalog {
  private readonly entries = new Map<string, Entry>();
  private heldBytes = 0;
  /** Called with a summary whenever one is added or changes (the page's live list). */
  onChange: (summary: Summary) => void = () => undefined;

  constructor(private readonly limits = { maxEntries: 100_000, maxHeldBytes: 64 * 1024 * 1024 }) {}

  get size(): number {
    return this.entries.size;
  }

  /** A delivery arrived (or was read from the store); `keepBody` when the store does not have it. */
  add(record: StoredDelivery, how: { outcome?: StoredOutcome; keepBody?: boolean; place?: { offset: number; length: number } } = {}): void {
    const { keepBody = false } = how;
    const known = this.entries.get(record.id);
    if (known?.held) this.heldBytes -= known.held.body?.length ?? 0;
    const outcome = how.outcome ?? known?.outcome;
    const place = how.place ?? known?.place;
    const entry: Entry = { summary: summaryOf(record, outcome), ...(outcome ? { outcome } : {}), ...(place ? { place } : {}) };
    if (keepBody) {
      entry.held = record;
      this.heldBytes += record.body?.length ?? 0;
    }
    // a Map keeps insertion order: re-adding moves nothing, so a known id keeps its place
    this.entries.set(record.id, entry);
    this.trim();
    this.onChange(entry.summary);
  }

  /** The sender was answered (and the app, if it was forwarded). */
  complete(outcome: StoredOutcome): void {
    const entry = this.entries.get(outcome.id);
    if (!entry) return;
    entry.outcome = outcome;
    entry.summary = { ...entry.summary, appStatus: outcome.forward?.status ?? null, answerStatus: outcome.answerStatus };
    this.onChange(entry.summary);
  }

  private trim(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.heldBytes <= this.limits.maxHeldBytes) break;
      if (this.entries.size > this.limits.maxEntries) this.entries.delete(id);
      else if (entry.held?.body) {
        this.heldBytes -= entry.held.body.length;
        entry.held = { ...entry.held, body: null };
      }
    }
  }

  /** Drops everything (the store was read again from the start). */
  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }

  summary(id: string): Summary | null {
    return this.entries.get(id)?.summary ?? null;
  }

  outcome(id: string): StoredOutcome | undefined {
    return this.entries.get(id)?.outcome;
  }

  place(id: string): { offset: number; length: number } | null {
    return this.entries.get(id)?.place ?? null;
  }

  /** The record held in memory (not stored), if any. */
  held(id: string): DeliveryRecord | null {
    const entry = this.entries.get(id);
    return entry?.held ? { ...entry.held, ...(entry.outcome ? { outcome: entry.outcome } : {}) } : null;
  }

  /** Newest first. */
  *newest(): Generator<Summary> {
    const all = [...this.entries.values()];
    for (let i = all.length - 1; i >= 0; i--) yield all[i]!.summary;
  }

  list(q: ListQuery, textIds?: Set<string>): { deliveries: Summary[]; more: boolean; total: number } {
    const out: Summary[] = [];
    let started = q.before === undefined;
    let more = false;
    for (const s of this.newest()) {
      if (!started) {
        started = s.id === q.before;
        continue;
      }
      if (!matches(s, q, textIds)) continue;
      if (out.length >= q.limit) {
        more = true;
        break;
      }
      out.push(s);
    }
    return { deliveries: out, more, total: this.entries.size };
  }

  /** Other deliveries about the same reference (the pending and the final of one verification), newest first. */
  related(id: string, max = 20): Summary[] {
    const reference = this.summary(id)?.reference;
    if (!reference) return [];
    const out: Summary[] = [];
    for (const s of this.newest()) if (s.id !== id && s.reference === reference && out.push(s) >= max) break;
    return out;
  }
}

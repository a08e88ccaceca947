import type { Delivery } from '../../core/delivery/types.js';

/** Past this, a view does not hold a delivery's body at all: it reads it back from the store when opened. */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** What a delivery's body costs to hold: the raw bytes plus the parsed JSON (about twice its decoded text). */
export function heldBytes(d: Delivery): number {
  return (d.body?.length ?? 0) + (d.json !== undefined || d.jsonDeferred ? (d.decodedLength ?? 0) * 2 : 0);
}

/**
 * The delivery as a view should keep it: a large body (raw or decoded) let go of and marked, so
 * 100 deliveries of 8 MB, or gzip bodies that inflate to 60 MB, never sit in the view's memory.
 */
export function withoutLargeBody(d: Delivery): Delivery {
  if (heldBytes(d) <= LARGE_BODY_BYTES) return d;
  return { ...d, body: null, json: undefined, bodyReleased: true };
}

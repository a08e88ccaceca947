/**
 * The store: an append-only NDJSON log of deliveries (written before a delivery is answered), the
 * one codec between a delivery and its lines, and lookup by id.
 *
 * Promises: never prints; a line it cannot read is skipped and counted, never fatal.
 * May import: core/delivery, core/signing and core/http (types), core/core-error.
 */
export * from './codec.js';
export * from './log.js';
export * from './lookup.js';

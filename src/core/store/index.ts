/**
 * The store: an append-only NDJSON log of deliveries (written before a delivery is answered, held
 * by file identity so other processes cannot make it lose lines), the one codec between a delivery
 * and its lines, streaming readers, and lookup by id.
 *
 * Promises: never prints; a line it cannot read is skipped and counted, never fatal.
 * May import: core/delivery, core/signing and core/http (types), core/core-error.
 */
export * from './codec.js';
export * from './location.js';
export * from './log.js';
export * from './read.js';
export * from './lookup.js';

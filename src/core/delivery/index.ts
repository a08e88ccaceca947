/**
 * Deliveries: the Delivery type every renderer reads, the event catalog, classifying a body by the
 * documented rules, describing a request (signature over the raw bytes, JSON after), redacting
 * personal data, event-name filters, and what Prembly accepts as delivered.
 *
 * Promises: pure; no I/O, no printing, no CLI words.
 * May import: core/signing, core/http (types), core/core-error.
 */
export * from './types.js';
export * from './catalog.js';
export * from './classify.js';
export * from './describe.js';
export * from './redact.js';
export * from './event-filter.js';
export * from './rules.js';
export * from './signature-hints.js';
export * from './suggest.js';

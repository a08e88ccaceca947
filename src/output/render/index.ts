/**
 * Renderers: deliveries as plain lines, NDJSON and the detail view; the listener's facts; the
 * trigger/resend report; the events table; the listen banner. Each returns lines or writes to an
 * IO; none decides an exit code.
 *
 * May import: core (types and pure helpers), output/io, output/palette.
 */
export * from './format.js';
export * from './delivery-json.js';
export * from './delivery-lines.js';
export * from './detail.js';
export * from './print-detail.js';
export * from './tunnel-lines.js';
export * from './store-error.js';
export * from './listen-renderers.js';
export * from './send-report.js';
export * from './events-table.js';
export * from './listen-banner.js';

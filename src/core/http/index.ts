/**
 * HTTP: sending exact bytes and measuring the reply (trigger, resend, the tunnel probe), and
 * forwarding a received request to the developer's app.
 *
 * Promises: transport only; it knows nothing of deliveries or of what Prembly accepts.
 * May import: node built-ins only (no other core folder).
 */
export * from './send.js';
export * from './forward.js';
export * from './url.js';
export * from './wait.js';

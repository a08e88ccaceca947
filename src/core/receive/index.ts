/**
 * Receiving: the listener (express app, record-then-answer, forwarding, replay, start/close), the
 * token window that spots retries and replays, the facts it emits, and the express middleware for
 * a developer's own app.
 *
 * Promises: never prints; everything worth showing is a ListenerFact.
 * May import: every other core folder except trigger.
 */
export * from './facts.js';
export * from './token-window.js';
export * from './bind.js';
export * from './listener.js';
export * from './middleware.js';

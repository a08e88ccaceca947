/**
 * The public tunnel: a supervisor that opens it, probes it end to end and reopens it with backoff,
 * behind a small provider interface (localtunnel today).
 *
 * Promises: emits facts, never prints, and nothing it does can crash the process.
 * May import: core/http, core/defaults.
 */
export * from './types.js';
export * from './probe.js';
export * from './subdomain.js';
export * from './supervisor.js';
export * from './localtunnel.js';

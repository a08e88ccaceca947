/**
 * Signing: the three Identitypass / Prembly signature schemes, signing a body, reading the
 * signature headers and verifying a delivery over its raw bytes.
 *
 * Promises: pure functions over bytes and headers; no I/O, no printing.
 * May import: node built-ins only (no other core folder).
 */
export * from './schemes.js';
export * from './headers.js';
export * from './sign.js';
export * from './verify.js';

/**
 * Sandbox: a local stand-in for the Prembly verification API. It answers verification calls as the
 * documented endpoints do (auth, validation, response shapes and codes), decides each outcome from
 * magic test numbers, and delivers the webhooks that follow — signed with the key Prembly uses for
 * each kind, judged by Prembly's delivery rules, retried on its schedule (time compressible).
 *
 * Promises: never prints; what happens is emitted as facts; every webhook attempt is kept.
 * May import: core/delivery, core/signing, core/http, core/trigger, core/core-error.
 */
export * from './identities.js';
export * from './dispatcher.js';
export * from './sandbox.js';

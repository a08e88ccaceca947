/**
 * idpass as a library: the same core the CLI uses, for a developer's own tests and app.
 * Importing this module has no side effects.
 *
 * @packageDocumentation
 */
export {
  sign,
  verify,
  detectScheme,
  computeSignature,
  keyFingerprint,
  BUILTIN_TEST_KEY,
  SCHEMES,
  type Scheme,
  type SignOptions,
  type SignedHeaders,
  type VerifyOptions,
  type VerifyResult,
  type VerifyReason,
  type HeaderInput,
} from './core/signing.js';
export { classify, RESPONSE_CODES, type Classification, type IdentityStatus } from './core/classify.js';
export { loadFixture, type LoadFixtureOptions } from './core/fixtures.js';
export { EVENTS, EVENT_NAMES, PRODUCTS, type EventInfo, type Product } from './core/events.js';
export { trigger, planTrigger, TAMPER_KINDS, type TriggerOptions, type DeliveryResult, type TamperKind } from './core/trigger.js';
export { createListener, Listener, type ListenerOptions, type ListenerFact, type Delivery } from './core/listener.js';
export { DeliveryStore, defaultStateDir } from './core/store.js';
export {
  identitypassWebhook,
  MOUNT_FIRST_MESSAGE,
  type IdentitypassWebhookOptions,
  type IdentitypassRequest,
  type IdentitypassDelivery,
  type DuplicatePolicy,
} from './core/middleware.js';

/**
 * idpass as a library: the same core the CLI uses, for a developer's own tests and app.
 * Importing this module has no side effects.
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

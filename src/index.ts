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
} from './core/signing/index.js';
export { classify, RESPONSE_CODES, type Classification, type IdentityStatus } from './core/delivery/classify.js';
export { EVENTS, EVENT_NAMES, PRODUCTS, type EventInfo, type Product } from './core/delivery/catalog.js';
export type { Delivery, ForwardResult } from './core/delivery/types.js';
export { CoreError } from './core/common/errors.js';
export { loadFixture, type LoadFixtureOptions } from './core/trigger/fixtures.js';
export {
  trigger,
  planTrigger,
  TAMPER_KINDS,
  TriggerError,
  type TriggerOptions,
  type TriggerErrorCode,
  type DeliveryResult,
  type DeliveryProblem,
  type DeliveryProblemCode,
  type TamperKind,
} from './core/trigger/index.js';
export { createListener, Listener, ListenError, type ListenerOptions, type ListenerFact } from './core/receive/index.js';
export { DeliveryStore, defaultStateDir } from './core/store/log.js';
export {
  identitypassWebhook,
  MOUNT_FIRST_MESSAGE,
  type IdentitypassWebhookOptions,
  type IdentitypassRequest,
  type IdentitypassDelivery,
  type DuplicatePolicy,
} from './core/receive/middleware.js';
export {
  doctor,
  runChecks,
  checkIds,
  DoctorError,
  type DoctorOptions,
  type CheckResult,
  type CheckGroup,
  type DoctorSummary,
  type Verdict,
} from './core/doctor/index.js';
export {
  createSandbox,
  Sandbox,
  SandboxError,
  MAGIC_NUMBERS,
  type SandboxOptions,
  type SandboxFact,
  type SandboxDelivery,
  type Attempt,
  type MagicNumber,
} from './core/sandbox/index.js';

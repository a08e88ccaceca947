import { CoreError } from '../common/errors.js';

/** Why a trigger request makes no sense; the command layer turns each code into advice. */
export type TriggerErrorCode =
  | 'unknown-event'
  | 'unknown-product'
  | 'product-with-data'
  | 'product-not-applicable'
  | 'pending-not-applicable'
  | 'pending-with-tamper'
  | 'pending-option-alone'
  | 'pending-to-needs-api'
  | 'shape-not-available'
  | 'shape-with-data'
  | 'tamper-body-static-scheme'
  | 'data-not-json'
  | 'data-not-object'
  | 'bad-edit'
  | 'unset-missing-field'
  | 'bad-status-expectation';

export interface TriggerErrorFacts {
  event?: string;
  product?: string;
  scheme?: string;
  path?: string;
  /** Close event names, for "did you mean". */
  suggestions?: string[];
  detail?: string;
}

/** Something in the trigger request itself is wrong. */
export class TriggerError extends CoreError<TriggerErrorCode, TriggerErrorFacts> {}

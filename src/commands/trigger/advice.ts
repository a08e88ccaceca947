import { PRODUCTS } from '../../core/delivery/catalog.js';
import type { TriggerError } from '../../core/trigger/errors.js';
import { UsageError } from '../../output/errors.js';
import { visible } from '../../output/sanitize.js';

/** A TriggerError in the CLI's words: what the user typed, and the flag that fixes it. */
export function triggerUsageError(error: TriggerError): UsageError {
  const f = error.facts;
  switch (error.code) {
    case 'unknown-event': {
      const close = f.suggestions ?? [];
      const product = PRODUCTS.find((p) => p === String(f.event).toLowerCase().replace(/_/g, '-'));
      if (product)
        return new UsageError(
          `"${visible(String(f.event))}" is a product, not an event`,
          `send a verification for it: idpass trigger verification.completed --product ${product}`,
        );
      return new UsageError(
        `unknown event "${f.event}"` +
          (close.length ? `; did you mean ${close.join(', ')}?` : '') +
          ' (idpass trigger --list shows them all)',
      );
    }
    case 'unknown-product':
      return new UsageError(`unknown product "${f.product}"; use one of ${PRODUCTS.join(', ')}`);
    case 'product-with-data':
      return new UsageError('--product and --data do not go together: --data sends your file as it is');
    case 'product-not-applicable':
      return new UsageError(`--product shapes direct-API verification bodies only; ${f.event} has its own shape (change it with --set)`);
    case 'pending-not-applicable':
      return new UsageError(
        `--pending-first sends a pending result and then its final one: use it with verification.completed or verification.failed, not ${f.event}`,
      );
    case 'pending-with-tamper':
      return new UsageError('--pending-first and --tamper do not go together: run them separately');
    case 'pending-option-alone':
      return new UsageError('--pending-via, --pending-to and --pending-reason shape the pending step: add --pending-first');
    case 'pending-to-needs-api':
      return new UsageError('--pending-to sends the API answer elsewhere: use it with --pending-via api');
    case 'shape-not-available':
      return new UsageError(`--shape legacy: ${error.message}`);
    case 'shape-with-data':
      return new UsageError('--shape and --data do not go together: --data sends your file as it is');
    case 'tamper-body-static-scheme':
      return new UsageError(
        `--tamper body needs --scheme prembly-hmac: the ${f.scheme} scheme does not sign the body, so no receiver can notice a changed one`,
      );
    case 'data-not-json':
      return new UsageError(`--data is not valid JSON: ${visible(f.detail ?? '')}`);
    case 'data-not-object':
      return new UsageError('--data must hold a JSON object, the way Identitypass bodies are');
    case 'unset-missing-field':
      return new UsageError(`--unset ${f.path}: the body has no such field`);
    case 'bad-edit':
    case 'bad-status-expectation':
      return new UsageError(error.message);
  }
}

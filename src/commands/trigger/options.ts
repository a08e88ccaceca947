/** What `idpass trigger` was asked for, as its builder parses it, and the checks across flags. */

import type { Product } from '../../core/delivery/catalog.js';
import type { StatusExpectation } from '../../core/delivery/rules.js';
import type { KeyKind } from '../../core/signing/schemes.js';
import type { TamperKind } from '../../core/trigger/tamper.js';
import { UsageError } from '../../output/errors.js';
import type { Command } from '../program/commander.js';
import type { SharedOptions } from '../program/shared-flags.js';

export interface TriggerCommandOptions extends SharedOptions {
  event?: string;
  to: URL;
  product?: Product[];
  set?: { path: string; value: unknown }[];
  unset?: string[];
  data?: string;
  pendingFirst?: boolean;
  pendingVia?: 'webhook' | 'api';
  pendingTo?: URL;
  pendingReason?: 'downtime' | 'payment';
  reference?: string;
  key?: KeyKind;
  shape?: 'current' | 'legacy';
  delay: number;
  tamper?: TamperKind;
  expectStatus?: StatusExpectation;
  timeout: number;
  list?: boolean;
  long?: boolean;
  printKey?: boolean;
  waitForListener?: number;
  count?: number;
  concurrency: number;
  rate?: number;
  duration?: number;
  events?: string;
  jsonEach?: boolean;
  insecure?: boolean;
}

/** A load run: --count or --duration. */
export function isLoadRun(flags: Pick<TriggerCommandOptions, 'count' | 'duration'>): boolean {
  return flags.count !== undefined || flags.duration !== undefined;
}

/** Refuses flags that make no sense together: load-only flags and a product mix outside a load run, --delay without --pending-first. */
export function checkTriggerFlags(flags: TriggerCommandOptions, self: Command): void {
  const load = isLoadRun(flags);
  for (const flag of ['concurrency', 'rate', 'events', 'jsonEach'] as const) {
    if (!load && self.getOptionValueSource(flag) === 'cli') {
      throw new UsageError(`--${flag === 'jsonEach' ? 'json-each' : flag} is for load runs`, 'add --count <n> or --duration <d>');
    }
  }
  if (!load && (flags.product?.length ?? 0) > 1)
    throw new UsageError('a mix of products is for load runs', 'add --count <n>, or name one product');
  if (!load && self.getOptionValueSource('delay') !== 'default' && !flags.pendingFirst) {
    throw new UsageError('--delay is the wait between the two deliveries of --pending-first', 'add --pending-first, or leave --delay out');
  }
}

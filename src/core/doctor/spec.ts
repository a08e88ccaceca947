import type { DoctorContext } from './context.js';
import type { CheckGroup, CheckResult } from './types.js';

/** What a check reports; the runner adds its name, group, time and whether it is required. */
export type CheckOutcome = Pick<CheckResult, 'verdict' | 'sent' | 'got' | 'prembly' | 'fix' | 'status'> &
  Partial<Pick<CheckResult, 'timing'>>;

export interface CheckSpec {
  id: string;
  group: CheckGroup;
  title: string;
  required: boolean;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

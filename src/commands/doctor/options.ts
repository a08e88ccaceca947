import type { SharedOptions } from '../program/shared-flags.js';

/** What `idpass doctor` was asked for, as its builder parses it. */
export interface DoctorOptions extends Omit<SharedOptions, 'scheme'> {
  url?: URL;
  to?: URL;
  events?: string;
  only?: string[];
  skip?: string[];
  samples: number;
  stateUrl?: string;
  timeout: number;
  junit?: string;
  strict?: boolean;
  list?: boolean;
  waitForListener?: number;
  insecure?: boolean;
}

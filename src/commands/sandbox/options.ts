import type { SharedOptions } from '../program/shared-flags.js';

/** What `idpass sandbox` was asked for, as its builder parses it. */
export interface SandboxOptions extends Omit<SharedOptions, 'scheme'> {
  port: number;
  host: string;
  webhookUrl?: URL;
  apiKey?: string;
  pendingDelay: number;
  slowDelay: number;
  timeScale: number;
  rateLimit?: number;
  numbers?: boolean;
  readyFile?: string;
}

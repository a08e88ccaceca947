import { CoreError } from '../common/errors.js';

/** ✔ pass · ✘ fail · ! warn (passes unless strict) · skipped (not selected, or could not run). */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip';

export type CheckGroup = 'genuine' | 'schemes' | 'forgery' | 'raw-bytes' | 'duplicates' | 'order' | 'size' | 'speed';

export interface CheckResult {
  /** `genuine.verification.completed`, `forgery.wrong-key`, `speed`: what --only and --skip select. */
  id: string;
  group: CheckGroup;
  /** What the check asks of the handler, in a few words. */
  title: string;
  verdict: Verdict;
  /** A required check that fails makes the run fail; the others warn. */
  required: boolean;
  /** What was sent. */
  sent: string;
  /** What came back (statuses, times, the first bytes of a reply). */
  got: string;
  /** What Prembly would do with that answer, when it is not a plain success. */
  prembly: string | null;
  /** How to fix the handler, for failures and warnings. */
  fix: string | null;
  /** The last HTTP status seen, if any. */
  status: number | null;
  /** Time the check took, all requests included. */
  ms: number;
  /** How long the handler took to answer the check's last request (null when none was answered). */
  answerMs?: number | null;
  /** Answer times, for the speed check. */
  timing?: { samples: number; p50: number; p95: number; max: number };
}

export interface DoctorSummary {
  url: string;
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  ms: number;
  /** Whether the handler passed: no required check failed (and, when strict, no warning). */
  ok: boolean;
  strict: boolean;
}

export interface DoctorOptions {
  url: URL | string;
  /** Accept a self-signed certificate on an HTTPS handler. */
  insecure?: boolean;
  /** Sandbox public key; signs the kinds Prembly signs with it. */
  publicKey: string;
  /** Live public key; signs workflow, async, retry, Customer 360 and watchlist kinds. */
  livePublicKey: string;
  /** The kinds the handler subscribes to (names); every kind Prembly sends by default. */
  events?: readonly string[];
  /** Check ids or groups (globs allowed) to run; all by default. */
  only?: readonly string[];
  /** Check ids or groups (globs allowed) to leave out. */
  skip?: readonly string[];
  /** Deliveries the speed check times. Default 20. */
  samples?: number;
  /** GET this after each step of the duplicate and order checks; `{reference}` is replaced. */
  stateUrl?: string;
  /** How long each answer may take; Prembly waits 10 s. */
  timeoutMs?: number;
  /** Warnings fail the run too. */
  strict?: boolean;
  signal?: AbortSignal;
  /** Called before each check starts, for a progress line. */
  onStart?: (id: string, index: number, total: number) => void;
}

export type DoctorErrorCode = 'unreachable' | 'unknown-check' | 'no-checks' | 'bad-state-url' | 'unknown-event';

export class DoctorError extends CoreError<DoctorErrorCode, { detail?: string; suggestions?: string[] }> {}

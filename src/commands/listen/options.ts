/** What `idpass listen` was asked for, as its builder parses it, and the checks no single flag can make. */

import type { EventFilter } from '../../core/delivery/event-filter.js';
import type { ForwardTarget } from '../../core/receive/app-forward.js';
import type { ListenSessionOptions } from '../../core/session/listen-session.js';
import { isProtectedHeader } from '../../core/signing/schemes.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';
import { checkKeys } from '../program/keys.js';
import type { SharedOptions } from '../program/shared-flags.js';
import { checkRelayFlags, relaySource, tunnelWanted, type RelayFlags } from './relay-options.js';

export interface ForwardFlags {
  forwardTo?: ForwardTarget[];
  forwardHeader?: [string, string][];
  allowSignatureOverride?: boolean;
  insecure?: boolean;
  /** Infinity: wait as long as the app takes (commander cannot keep a null). */
  forwardTimeout: number;
}

export interface InspectFlags {
  /** Typed --inspect (true) or --no-inspect (false); undefined: on in the live view only. */
  inspect?: boolean;
  inspectPort: number;
}

export interface ListenOptions extends SharedOptions, ForwardFlags, RelayFlags, InspectFlags {
  port: number;
  host: string;
  events?: EventFilter;
  maxBody: number;
  showPii?: boolean;
  store: boolean;
  storeMax: number;
  readyFile?: string;
  waitFor?: EventFilter;
  count?: number;
  timeout?: number;
  tunnelHost: URL;
  subdomain?: string;
  /** Whether --scheme / IDPASS_SCHEME was given (else any scheme is expected). */
  expectScheme?: boolean;
}

/** CI mode: --wait-for or --count. */
export function waiting(options: ListenOptions): boolean {
  return options.waitFor !== undefined || options.count !== undefined;
}

/** The checks that need more than one flag, or the terminal to warn on. */
export function checkListenOptions(options: ListenOptions, io: IO): void {
  checkKeys(options, io);
  const overriding = options.forwardHeader?.find(([name]) => isProtectedHeader(name));
  if (overriding && !options.allowSignatureOverride) {
    throw new UsageError(
      `--forward-header ${overriding[0]} would replace the ${overriding[0]} Prembly sent, so your app could not check it`,
      'add --allow-signature-override if that is what you are testing',
    );
  }
  if (options.maxBody < 1) throw new UsageError('--max-body must be at least 1 byte', 'use a size like 512kb or 10mb');
  checkRelayFlags(options);
}

/** The session the options describe; the store lives where the environment says. */
export async function sessionOptions(options: ListenOptions, env: NodeJS.ProcessEnv): Promise<ListenSessionOptions> {
  const { DeliveryStore, defaultStateDir } = await import('../../core/store/log.js');
  const stateDir = defaultStateDir(env);
  const store = options.store ? new DeliveryStore({ dir: stateDir, maxBytes: options.storeMax }) : null;
  const relay = relaySource(options, stateDir, options.store);
  return {
    intake: {
      publicKey: options.publicKey,
      livePublicKey: options.livePublicKey,
      scheme: options.expectScheme ? options.scheme : undefined,
      forwardTo: options.forwardTo ?? null,
      forwardTimeoutMs: Number.isFinite(options.forwardTimeout) ? options.forwardTimeout : null,
      forwardHeaders: options.forwardHeader,
      allowSignatureOverride: options.allowSignatureOverride,
      insecure: options.insecure,
      maxBodyBytes: options.maxBody,
      store,
      filter: options.events,
    },
    bind: { port: options.port, host: options.host },
    tunnel: tunnelWanted(options) ? { host: options.tunnelHost, subdomain: options.subdomain } : null,
    sources: relay ? [relay] : [],
    waitFor: waiting(options) ? { filter: options.waitFor, count: options.count ?? 1 } : null,
    timeoutMs: options.timeout,
  };
}

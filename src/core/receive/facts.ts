import type { Delivery } from '../delivery/types.js';
import type { TunnelFact } from '../tunnel/types.js';

/** What the listener emits; renderers (plain, NDJSON, the live view) consume these and nothing else. */
export type ListenerFact =
  | { type: 'ready'; url: string; host: string; port: number }
  | { type: 'received'; delivery: Delivery }
  | { type: 'completed'; delivery: Delivery }
  /** The store could not be opened (`open`) or written (`write`); deliveries are still answered. */
  | { type: 'store-error'; phase: 'open' | 'write'; path: string; cause: string }
  /** Writes succeed again after a write error; `missed` deliveries were answered but not recorded meanwhile. */
  | { type: 'store-resumed'; path: string; missed: number }
  /** Something worth knowing that needs no action from the listener (unreadable store lines, an abandoned request). */
  | { type: 'warning'; message: string }
  /** Closing: deliveries still in flight (their forwards) get up to `graceMs` to finish. */
  | { type: 'draining'; inFlight: number; graceMs: number }
  | { type: 'closed' };

/** The relay client's (listen --relay) state, said in every renderer. */
export type RelaySourceFact =
  /** Once, at start: the relay answered Prembly, so the app's answers are shown and stored but never reach it. */
  | { type: 'relay-mode'; url: string }
  | {
      type: 'relay-state';
      state: 'connecting' | 'catching-up' | 'live' | 'reconnecting' | 'refused';
      url: string;
      /** Deliveries held at the relay still to come (catching up). */
      behind?: number;
      /** Since when it has been reconnecting. */
      since?: string;
      cause?: string;
    }
  /** The relay's retention dropped deliveries this client had not received. */
  | { type: 'relay-gap'; url: string; from: number; to: number; dropped: number };

/** Everything `idpass listen` reports: the listener's facts, the tunnel supervisor's and the relay client's. */
export type ListenSessionFact = ListenerFact | TunnelFact | RelaySourceFact;

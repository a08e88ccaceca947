/** What the supervisor needs of a tunnel implementation, and the facts it emits. */

export interface TunnelOpenOptions {
  subdomain?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TunnelHandle {
  url: string;
  clientId: string;
  /** Called when the tunnel client itself notices it is broken. */
  onFailure(listener: (cause: string) => void): void;
  close(): void;
}

/** What the supervisor needs of a tunnel implementation (localtunnel today). */
export interface TunnelProvider {
  host: URL;
  open(options: TunnelOpenOptions): Promise<TunnelHandle>;
}

export type TunnelFact =
  | { type: 'tunnel-connecting'; host: string; attempt: number }
  | { type: 'tunnel-up'; url: string; subdomainRequested: string | null; subdomainGranted: boolean }
  | { type: 'tunnel-unavailable'; cause: string; retryInMs: number; attempt: number }
  | { type: 'tunnel-down'; url: string; cause: string }
  | { type: 'tunnel-restored'; url: string; previousUrl: string; urlChanged: boolean; downtimeMs: number };

export type TunnelState = 'connecting' | 'up' | 'down' | 'stopped';

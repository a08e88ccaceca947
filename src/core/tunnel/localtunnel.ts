/**
 * localtunnel (the maintained @n8n/localtunnel fork) behind the supervisor's small interface. The
 * client's own setup retries forever and cannot be stopped, so the tunnel info is fetched here
 * (with a timeout and a real error), and only the socket pumping — the part worth reusing — is
 * left to the library. Its version is pinned exactly in package.json because `_init` is its
 * internal hook.
 */

import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { SendError, sendRequest } from '../http/send.js';
import type { TunnelHandle, TunnelOpenOptions, TunnelProvider } from './types.js';

interface LocaltunnelInfoBody {
  id?: string;
  port?: number;
  max_conn_count?: number;
  url?: string;
  message?: string;
}

interface TunnelInstance extends EventEmitter {
  url?: string;
  clientId?: string;
  tunnelCluster?: EventEmitter;
  open(cb: (err?: Error) => void): void;
  close(): void;
  _getInfo(body: LocaltunnelInfoBody): unknown;
  _init(cb: (err: Error | null, info?: unknown) => void): void;
}

type TunnelClass = new (opts: Record<string, unknown>) => TunnelInstance;

let TunnelBase: TunnelClass | undefined;
function tunnelClass(): TunnelClass {
  TunnelBase ??= createRequire(import.meta.url)('@n8n/localtunnel/lib/Tunnel.js') as TunnelClass;
  return TunnelBase;
}

/** GET {host}/{subdomain} (or /?new): the tunnel's id, url and the port its sockets go to. */
export async function requestTunnelInfo(
  host: URL,
  subdomain: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LocaltunnelInfoBody> {
  const url = new URL(subdomain ? `/${encodeURIComponent(subdomain)}` : '/?new', host);
  const reply = await sendRequest({
    url,
    method: 'GET',
    headers: { accept: 'application/json' },
    body: new Uint8Array(0),
    timeoutMs,
    signal,
  });
  let body: LocaltunnelInfoBody;
  try {
    body = JSON.parse(reply.body.toString('utf8')) as LocaltunnelInfoBody;
  } catch {
    throw new Error(`${host.host} answered ${reply.status} with something that is not tunnel info (is it a localtunnel server?)`);
  }
  if (reply.status !== 200 || !body.url || !body.port) {
    throw new Error(`${host.host} refused the tunnel (${reply.status}${body.message ? `: ${body.message}` : ''})`);
  }
  return body;
}

export interface LocaltunnelProviderOptions {
  host: URL;
  localPort: number;
  /** Only for listeners bound to a non-loopback address: the library rewrites Host then. */
  localHost?: string;
}

export function localtunnelProvider({ host, localPort, localHost }: LocaltunnelProviderOptions): TunnelProvider {
  return {
    host,
    async open({ subdomain, timeoutMs, signal }: TunnelOpenOptions): Promise<TunnelHandle> {
      const Base = tunnelClass();
      let info: LocaltunnelInfoBody;
      try {
        info = await requestTunnelInfo(host, subdomain, timeoutMs, signal);
      } catch (error) {
        throw new Error(
          error instanceof SendError ? `cannot reach the tunnel server ${host.origin}: ${error.message}` : (error as Error).message,
          {
            cause: error,
          },
        );
      }
      // the library asks this._init(cb) for the tunnel info: hand it what was fetched above
      class FetchedTunnel extends Base {
        override _init(cb: (err: Error | null, info?: unknown) => void) {
          cb(null, this._getInfo(info));
        }
      }
      const tunnel = new FetchedTunnel({ host: host.origin, port: localPort, ...(localHost ? { local_host: localHost } : {}) });
      const failures = new EventEmitter();
      // The library's 'error' would crash a process without a listener: always listen.
      tunnel.on('error', (error: Error) => failures.emit('failure', error.message));

      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          tunnel.close();
          reject(error);
        };
        const onAbort = () => fail(new Error('stopped'));
        const timer = setTimeout(() => fail(new Error(`no tunnel socket opened within ${timeoutMs}ms`)), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        tunnel.once('url', () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        tunnel.once('error', fail);
        tunnel.open((error) => {
          if (error) fail(error);
        });
      });

      return {
        url: info.url!,
        clientId: info.id ?? '',
        onFailure: (listener) => failures.on('failure', listener),
        close: () => {
          failures.removeAllListeners();
          tunnel.close();
        },
      };
    },
  };
}

/** The health probe's path and header, and where to send a request for a public URL. */

import { randomBytes } from 'node:crypto';
import { sendRequest } from '../http/send.js';

export const PROBE_PATH = '/.idpass/probe/';
export const PROBE_HEADER = 'x-idpass-probe';

export function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * Where to send a request for a public URL. Names under `.localhost` (a self-hosted server on this
 * machine) do not resolve through DNS, so those go to the tunnel server's own address with the
 * public name in the Host header, which is how the server routes them anyway.
 */
export function probeTarget(publicUrl: string, tunnelHost: URL, path: string): { url: URL; host?: string } {
  const publicHost = hostnameOf(publicUrl);
  if (publicHost.endsWith('.localhost')) {
    return { url: new URL(path, tunnelHost.origin), host: publicHost };
  }
  return { url: new URL(path, publicUrl) };
}

export interface ProbeOptions {
  publicUrl: string;
  tunnelHost: URL;
  /** The listener answers probes only with this secret in the probe header. */
  secret: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** null when a request through the public URL came back from this listener; else why not. */
export async function probeThrough({ publicUrl, tunnelHost, secret, timeoutMs, signal }: ProbeOptions): Promise<string | null> {
  const nonce = randomBytes(6).toString('hex');
  const { url, host } = probeTarget(publicUrl, tunnelHost, PROBE_PATH + nonce);
  try {
    const reply = await sendRequest({
      url,
      method: 'GET',
      headers: { [PROBE_HEADER]: secret, 'bypass-tunnel-reminder': '1', ...(host ? { host } : {}) },
      body: new Uint8Array(0),
      timeoutMs,
      signal,
    });
    if (reply.status !== 200) return `answered ${reply.status}`;
    return reply.body.toString('utf8').includes(nonce) ? null : 'the answer did not come from this listener';
  } catch (error) {
    return (error as Error).message;
  }
}

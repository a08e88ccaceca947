/** The health probe's path and header, and where to send a request for a public URL. */

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

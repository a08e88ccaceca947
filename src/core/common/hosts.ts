/** Which addresses are this machine only: the one list that binding, warnings, the tunnel and the sandbox's admin API read. */

/** Names and addresses a server can bind that only this machine reaches. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** Bind addresses that mean "every interface". */
export const ANY_ADDRESS_HOSTS: readonly string[] = ['0.0.0.0', '::'];

/** A bind address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host.toLowerCase());
}

/** A bind address this machine reaches itself on loopback (loopback, or every interface, loopback included). */
export function reachesLoopback(host: string): boolean {
  return isLoopbackHost(host) || ANY_ADDRESS_HOSTS.includes(host);
}

/** A peer's socket address is this machine: 127.0.0.0/8, ::1, or either mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** A Host header naming this machine (any port): 127.x, [::1] or localhost. Absent is refused. */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || isLoopbackAddress(name);
}

/** An Origin on this machine: http(s)://127.x, [::1] or localhost, any port. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostHeader(url.host);
  } catch {
    return false;
  }
}

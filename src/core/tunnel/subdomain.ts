import { randomBytes } from 'node:crypto';

/**
 * A subdomain that localtunnel servers accept (their own rule): 4 to 63 lowercase letters and
 * digits, or 6 to 65 characters when it has dashes, which may not stand first or last.
 */
export function isValidSubdomain(name: string): boolean {
  return /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/.test(name);
}

/** A random subdomain, picked once per listener so that reconnects keep the URL. */
export function randomSubdomain(): string {
  return `idpass-${randomBytes(5).toString('hex')}`;
}

/** A subdomain that localtunnel servers accept: lowercase letters, digits and inner dashes, 4 to 63. */
export function isValidSubdomain(name: string): boolean {
  return /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/.test(name);
}

import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../src/core/tunnel/probe.js';
import { isValidSubdomain, randomSubdomain } from '../../../src/core/tunnel/subdomain.js';

describe('tunnel helpers', () => {
  it('makes random subdomains a localtunnel server accepts', () => {
    const a = randomSubdomain();
    expect(isValidSubdomain(a)).toBe(true);
    expect(randomSubdomain()).not.toBe(a);
  });

  it('validates subdomains as localtunnel servers do', () => {
    expect(isValidSubdomain('my-app')).toBe(true);
    expect(isValidSubdomain('abcd')).toBe(true);
    expect(isValidSubdomain('abc')).toBe(false);
    expect(isValidSubdomain('My-App')).toBe(false);
    expect(isValidSubdomain('-app-')).toBe(false);
    expect(isValidSubdomain('a'.repeat(70))).toBe(false);
  });

  it('probes public URLs directly, and *.localhost ones through the tunnel server with the Host header', () => {
    const direct = probeTarget('https://abc.loca.lt', new URL('https://localtunnel.me'), '/.idpass/probe/n');
    expect(direct.url.href).toBe('https://abc.loca.lt/.idpass/probe/n');
    expect(direct.host).toBeUndefined();
    const local = probeTarget('http://abc.localhost', new URL('http://127.0.0.1:47001'), '/.idpass/probe/n');
    expect(local.url.href).toBe('http://127.0.0.1:47001/.idpass/probe/n');
    expect(local.host).toBe('abc.localhost');
  });
});

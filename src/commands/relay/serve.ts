/** `idpass relay serve`: opens the store, binds, prints where channels' URLs point, serves until interrupted. */

import { join } from 'node:path';
import { DEFAULT_RELAY_PORT } from '../../core/common/defaults.js';
import { exposedHostWarning } from '../../flags/values.js';
import { CliError, ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { tones } from '../../output/palette.js';
import { visible } from '../../output/sanitize.js';
import { terminal } from '../../output/terminal.js';
import type { RelayServer } from '../../core/relay/server.js';
import type { OutputOptions } from '../program/shared-flags.js';
import { announceReady } from '../steps/ready-file.js';
import { interrupted } from '../steps/stop.js';

export interface RelayServeOptions extends OutputOptions {
  port: number;
  portGiven?: boolean;
  host: string;
  db?: string;
  publicUrl?: URL;
  maxBody: number;
  retain: number;
  retainSize: number;
  adminToken?: string;
  readyFile?: string;
}

/** The port: the flag, else IDPASS_RELAY_PORT, else PORT (what container platforms set), else 8080. */
function portOf(options: RelayServeOptions, env: NodeJS.ProcessEnv): number {
  if (options.portGiven) return options.port;
  for (const name of ['IDPASS_RELAY_PORT', 'PORT'] as const) {
    const text = env[name]?.trim();
    if (!text) continue;
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
      throw new UsageError(`${name}="${text}" is not a port`, 'use a number from 0 to 65535');
    return Number(text);
  }
  return DEFAULT_RELAY_PORT;
}

/** The database: the flag, else IDPASS_RELAY_DB, else DATABASE_URL, else relay.sqlite in the state folder. */
async function databaseOf(options: RelayServeOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const given = options.db ?? env.IDPASS_RELAY_DB ?? env.DATABASE_URL;
  if (given !== undefined && given.trim() === '')
    throw new UsageError('--db is empty', 'give a SQLite file path or a postgres:// URL, or leave it out');
  if (given) return given;
  const { defaultStateDir } = await import('../../core/store/location.js');
  const { mkdir } = await import('node:fs/promises');
  const dir = defaultStateDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return join(dir, 'relay.sqlite');
}

const isPostgres = (db: string) => /^postgres(ql)?:\/\//i.test(db);

/** The database as printed: a PostgreSQL URL without its password. */
export function shownDatabase(db: string): string {
  if (!isPostgres(db)) return `SQLite ${db}`;
  try {
    const url = new URL(db);
    if (url.password) url.password = '****';
    return `PostgreSQL ${url.href}`;
  } catch {
    return 'PostgreSQL (an unparsable URL)';
  }
}

async function openStorage(db: string) {
  const storage = isPostgres(db)
    ? new (await import('../../core/relay/postgres.js')).PostgresStorage(db)
    : new (await import('../../core/relay/sqlite.js')).SqliteStorage(db);
  try {
    await storage.open();
  } catch (error) {
    await storage.close().catch(() => undefined);
    const cause = visible((error as Error).message).replaceAll(db, shownDatabase(db));
    throw new UsageError(
      `the relay database (${shownDatabase(db)}) cannot be opened: ${cause}`,
      isPostgres(db)
        ? 'check that PostgreSQL runs there and the URL’s user, password and database'
        : 'check the path, its folder and its permissions',
    );
  }
  return storage;
}

async function bindRelay(server: RelayServer, port: number, host: string, close: () => Promise<void>) {
  return server.start(port, host).catch(async (error: NodeJS.ErrnoException) => {
    await close();
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use`, 'another program has it: --port 0 picks a free one');
    throw new CliError(`the relay could not listen on ${host}:${port}: ${error.message}`, ExitCode.usage);
  });
}

export async function runRelayServe(options: RelayServeOptions, io: IO): Promise<number> {
  const port = portOf(options, io.env);
  const path = await databaseOf(options, io.env);
  if (options.adminToken !== undefined && options.adminToken.trim().length < 16)
    throw new UsageError(
      '--admin-token is too short to guard the relay',
      'use 16 characters or more, or leave it out to have one generated',
    );
  const term = await terminal(io, options);
  const { RelayServer } = await import('../../core/relay/server.js');
  const { resolveAdminToken } = await import('../../core/relay/admin.js');
  const storage = await openStorage(path);
  const admin = await resolveAdminToken(storage, options.adminToken);
  const server = new RelayServer({
    storage,
    adminTokenHash: admin.hash,
    maxBodyBytes: options.maxBody,
    retain: { ageMs: options.retain, maxBytes: options.retainSize },
    publicUrl: options.publicUrl?.href,
  });
  const paint = tones(term.out);
  await printFacts(server, options, io, paint.dim);
  const bound = await bindRelay(server, port, options.host, () => storage.close());
  const removeReadyFile = await announceReady(options.readyFile, { ...bound, close: () => server.close() });
  const talk = (line: string) => writeLine(io.stderr, line);
  talk(`relay on ${server.url} (${shownDatabase(path)}, ${storage.driver}); channel URLs start ${server.publicUrl}/in/`);
  const exposed = exposedHostWarning(options.host);
  if (exposed) talk(paint.warn(exposed.replace('this listener', 'the relay')));
  // the one time the generated token exists in clear: the database keeps only its hash
  if (admin.generated) talk(`admin token (shown once; the relay keeps only its hash): ${admin.generated}`);
  talk(paint.dim('Ctrl-C to stop.'));
  await interrupted(io.signal);
  await server.close();
  await storage.close();
  await removeReadyFile();
  return ExitCode.ok;
}

async function printFacts(server: RelayServer, options: RelayServeOptions, io: IO, dim: (text: string) => string): Promise<void> {
  const { relayFactLine } = await import('../../output/render/relay-lines.js');
  server.on('fact', (fact) => {
    if (options.json) return writeLine(io.stdout, JSON.stringify(fact));
    const line = relayFactLine(fact);
    if (line) writeLine(io.stdout, `${dim(new Date().toISOString().slice(11, 19))} ${line}`);
  });
}

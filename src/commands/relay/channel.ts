/** `idpass relay channel create|list|delete`: the relay's admin API, from the command line. */

import { CliError, ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import type { OutputOptions } from '../program/shared-flags.js';

export interface ChannelOptions extends OutputOptions {
  relay: URL;
  adminToken: string;
  name?: string;
  id?: string;
}

interface ChannelInfo {
  id: string;
  name: string | null;
  url: string;
  held: number;
  bytes: number;
  waiting: number;
  lastSeq: number;
  clients?: { client: string; ackedSeq: number }[];
}

/** `alice 3 waiting, bob up to date`: each named client's own cursor. */
function clientsText(c: ChannelInfo): string {
  const named = (c.clients ?? []).map((k) => {
    const waiting = Math.max(0, c.lastSeq - k.ackedSeq);
    return `${k.client} ${waiting === 0 ? 'up to date' : `${waiting} waiting`}`;
  });
  return named.length ? `  (clients: ${named.join(', ')})` : '';
}

async function call(
  options: ChannelOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: Record<string, unknown> }> {
  const url = new URL(path, options.relay.href.endsWith('/') ? options.relay.href : `${options.relay.href}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${options.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(`could not reach the relay at ${url.origin} (${cause})`, ExitCode.network, 'is idpass relay serve running there?');
  }
  const text = await res.text();
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not the relay answering
  }
  if (res.status === 401)
    throw new UsageError(
      'the relay refused the admin token',
      'pass the token relay serve printed at its first start (--admin-token or IDPASS_RELAY_ADMIN_TOKEN)',
    );
  return { status: res.status, data };
}

export async function runChannel(action: 'create' | 'list' | 'delete', options: ChannelOptions, io: IO): Promise<number> {
  if (action === 'create') {
    const { status, data } = await call(options, 'POST', 'admin/channels', options.name ? { name: options.name } : {});
    if (status !== 201) throw new CliError(`the relay answered ${status}: ${String(data.error ?? '')}`, ExitCode.checkFailed);
    if (options.json) writeLine(io.stdout, JSON.stringify(data));
    else {
      writeLine(io.stdout, `channel ${String(data.id)}${data.name ? ` (${String(data.name)})` : ''}`);
      writeLine(io.stdout, `  webhook URL (paste it into the Prembly dashboard): ${String(data.url)}`);
      writeLine(io.stdout, `  token (shown once; for idpass listen --relay-token): ${String(data.token)}`);
      writeLine(io.stdout, `  then: idpass listen --relay ${String(data.url)} --relay-token <token>`);
    }
    return ExitCode.ok;
  }
  if (action === 'list') {
    const { status, data } = await call(options, 'GET', 'admin/channels');
    if (status !== 200) throw new CliError(`the relay answered ${status}: ${String(data.error ?? '')}`, ExitCode.checkFailed);
    const channels = (data.channels ?? []) as ChannelInfo[];
    if (options.json) for (const c of channels) writeLine(io.stdout, JSON.stringify(c));
    else if (channels.length === 0) writeLine(io.stdout, 'no channels yet: idpass relay channel create');
    else
      for (const c of channels)
        writeLine(io.stdout, `${c.id}  ${c.name ?? '-'}  held ${c.held}  waiting ${c.waiting}  ${c.url}${clientsText(c)}`);
    return ExitCode.ok;
  }
  const { status, data } = await call(options, 'DELETE', `admin/channels/${encodeURIComponent(options.id ?? '')}`);
  if (status === 404) throw new UsageError(`the relay has no channel ${options.id}`, 'idpass relay channel list shows them');
  if (status !== 200) throw new CliError(`the relay answered ${status}: ${String(data.error ?? '')}`, ExitCode.checkFailed);
  if (options.json) writeLine(io.stdout, JSON.stringify(data));
  else writeLine(io.stdout, `deleted channel ${options.id} and everything it held`);
  return ExitCode.ok;
}

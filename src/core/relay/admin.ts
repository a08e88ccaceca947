/** The relay's admin API (channels) and its Prometheus metrics, apart from the delivery paths. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches, hashToken, isChannelId, newChannelId, newToken } from './secrets.js';
import type { RelayFact } from './facts.js';
import { send, smallJson } from './http.js';
import type { ChannelStats, RelayStorage } from './storage.js';

export interface Counters {
  stored: number;
  streamed: number;
  streamedBytes: number;
  storedBytes: number;
  errors: number;
}

interface AdminContext {
  storage: RelayStorage;
  adminTokenHash: string;
  publicUrl: string;
  fact: (fact: RelayFact) => void;
}

export async function adminRequest(req: IncomingMessage, res: ServerResponse, id: string | undefined, ctx: AdminContext): Promise<void> {
  if (!bearerMatches(req.headers.authorization, ctx.adminTokenHash)) {
    req.resume();
    return send(res, 401, { error: 'the admin token is needed (Authorization: Bearer <admin token>)' }, { 'www-authenticate': 'Bearer' });
  }
  const storage = ctx.storage;
  if (id === undefined && req.method === 'POST') {
    const body = await smallJson(req);
    const name = body?.name;
    if (body === null || (name !== undefined && (typeof name !== 'string' || name.length > 100)))
      return send(res, 400, { error: 'send {"name": "<up to 100 characters>"} or {}' });
    const token = newToken('channel');
    const channel = {
      id: newChannelId(),
      name: typeof name === 'string' && name.trim() ? name.trim() : null,
      tokenHash: hashToken(token),
      createdAt: new Date().toISOString(),
    };
    await storage.createChannel(channel);
    ctx.fact({ type: 'channel-created', channel: channel.id, name: channel.name });
    return send(res, 201, {
      id: channel.id,
      name: channel.name,
      url: `${ctx.publicUrl}/in/${channel.id}`,
      token,
      createdAt: channel.createdAt,
    });
  }
  req.resume();
  if (id === undefined && req.method === 'GET') {
    const list = await storage.channels();
    return send(res, 200, {
      channels: list.map((ch) => ({ ...ch, url: `${ctx.publicUrl}/in/${ch.id}`, waiting: Math.max(0, ch.lastSeq - ch.ackedSeq) })),
    });
  }
  if (id !== undefined && req.method === 'DELETE') {
    const gone = isChannelId(id) && (await storage.deleteChannel(id));
    if (gone) ctx.fact({ type: 'channel-deleted', channel: id });
    return gone ? send(res, 200, { deleted: id }) : send(res, 404, { error: 'no such channel' });
  }
  send(res, 405, { error: 'POST or GET /admin/channels, DELETE /admin/channels/<id>' });
}

/** Prometheus text: per channel, what was stored and streamed since start, and what is held and waiting now. */
export function metricsText(channels: ChannelStats[], count: (id: string) => Counters, errors: number): string {
  const lines = ['# HELP idpass_relay_stored_total Deliveries committed since start.', '# TYPE idpass_relay_stored_total counter'];
  const perChannel = (name: string, value: (c: Counters) => number) =>
    channels.map((ch) => `${name}{channel="${ch.id}"} ${value(count(ch.id))}`);
  lines.push(...perChannel('idpass_relay_stored_total', (c) => c.stored));
  lines.push('# TYPE idpass_relay_stored_bytes_total counter', ...perChannel('idpass_relay_stored_bytes_total', (c) => c.storedBytes));
  lines.push('# TYPE idpass_relay_streamed_total counter', ...perChannel('idpass_relay_streamed_total', (c) => c.streamed));
  lines.push(
    '# TYPE idpass_relay_streamed_bytes_total counter',
    ...perChannel('idpass_relay_streamed_bytes_total', (c) => c.streamedBytes),
  );
  lines.push('# TYPE idpass_relay_store_errors_total counter', ...perChannel('idpass_relay_store_errors_total', (c) => c.errors));
  lines.push('# HELP idpass_relay_waiting Deliveries held that no client has acked.', '# TYPE idpass_relay_waiting gauge');
  lines.push(...channels.map((ch) => `idpass_relay_waiting{channel="${ch.id}"} ${Math.max(0, ch.lastSeq - ch.ackedSeq)}`));
  lines.push('# TYPE idpass_relay_held gauge', ...channels.map((ch) => `idpass_relay_held{channel="${ch.id}"} ${ch.held}`));
  lines.push('# TYPE idpass_relay_held_bytes gauge', ...channels.map((ch) => `idpass_relay_held_bytes{channel="${ch.id}"} ${ch.bytes}`));
  lines.push(
    '# HELP idpass_relay_client_waiting Deliveries a named client has not acked yet (its own cursor).',
    '# TYPE idpass_relay_client_waiting gauge',
    ...channels.flatMap((ch) =>
      ch.clients.map((c) => `idpass_relay_client_waiting{channel="${ch.id}",client="${c.client}"} ${Math.max(0, ch.lastSeq - c.ackedSeq)}`),
    ),
  );
  lines.push(
    '# TYPE idpass_relay_client_acked_seq gauge',
    ...channels.flatMap((ch) =>
      ch.clients.map((c) => `idpass_relay_client_acked_seq{channel="${ch.id}",client="${c.client}"} ${c.ackedSeq}`),
    ),
  );
  lines.push('# TYPE idpass_relay_errors_total counter', `idpass_relay_errors_total ${errors}`);
  return lines.join('\n') + '\n';
}

/** The admin token's hash to use: the one given, else the database's, else a new one (returned once, to be shown). */
export async function resolveAdminToken(
  storage: RelayStorage,
  given: string | undefined,
): Promise<{ hash: string; generated: string | null; kept: boolean }> {
  if (given) return { hash: hashToken(given), generated: null, kept: false };
  const known = await storage.getSetting('admin_token_hash');
  if (known) return { hash: known, generated: null, kept: true };
  const token = newToken('admin');
  const held = await storage.initSetting('admin_token_hash', hashToken(token));
  // another relay on the same database set one first: that one holds, and this one was never valid
  return held === hashToken(token) ? { hash: held, generated: token, kept: true } : { hash: held, generated: null, kept: true };
}

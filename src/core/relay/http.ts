/** Small HTTP helpers the relay's routes share. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../receive/app.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a small JSON body (an admin or ack request); null when it is not one. */
export async function smallJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const { body } = await readBody(req, 64 * 1024);
  if (!body || body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Channel ids, tokens and how they are kept: 128 random bits or more, stored as SHA-256, compared in constant time. */

import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../common/compare.js';

/** A channel id: 128 random bits, URL-safe (it is the secret part of the URL Prembly posts to). */
export function newChannelId(): string {
  return `ch_${randomBytes(16).toString('hex')}`;
}

/** A client's name (`--relay-client`): the key of its own cursor on the relay. */
export const isClientName = (text: unknown): text is string => typeof text === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(text);

/** A bearer token: 256 random bits. */
export function newToken(kind: 'channel' | 'admin'): string {
  return `${kind === 'admin' ? 'rta' : 'rtc'}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `Authorization: Bearer <token>` carries the token whose hash is kept. */
export function bearerMatches(authorization: string | undefined, tokenHash: string): boolean {
  const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(authorization ?? '');
  // hashed either way, so the compare takes the same time whatever was sent
  const sent = hashToken(match?.[1] ?? '');
  return constantTimeEqual(sent, tokenHash) && match !== null;
}

/** A channel id as the relay makes them: nothing else is looked up. */
export function isChannelId(text: string): boolean {
  return /^ch_[0-9a-f]{32}$/.test(text);
}

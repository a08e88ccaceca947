/** Where the store lives and what its deliveries are called. */

import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const STORE_FILE = 'deliveries.ndjson';

/** `IDPASS_HOME`, else `$XDG_STATE_HOME/idpass`, else `~/.local/state/idpass`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.IDPASS_HOME) return env.IDPASS_HOME;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'idpass');
  return join(homedir(), '.local', 'state', 'idpass');
}

// A random prefix per process and a counter: unique without asking the OS for randomness per delivery.
const ID_PREFIX = randomBytes(2).toString('hex');
let idCounter = 0;

/** Time-ordered, short, unique: base36 milliseconds, then a per-process prefix and counter. */
export function newDeliveryId(now = Date.now()): string {
  idCounter = (idCounter + 1) % 0x10000;
  return `${now.toString(36).padStart(9, '0')}-${ID_PREFIX}${idCounter.toString(16).padStart(4, '0')}`;
}

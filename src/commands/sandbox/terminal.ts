/** Commands typed at the sandbox's terminal: the same flows the admin API starts, for a person. */

import { createInterface } from 'node:readline';
import type { Sandbox } from '../../core/sandbox/sandbox.js';
import type { IO } from '../../output/io.js';
import { visible } from '../../output/sanitize.js';

export const TERMINAL_HELP =
  'type: session [user_ref] [failed] · workflow completed|failed|manual_review · watchlist · resend <id> · deliveries · help';

const OUTCOMES = ['completed', 'failed', 'manual_review'] as const;

/** Reads lines from a terminal's stdin until the sandbox stops; returns a function that stops reading. */
export function acceptCommands(sandbox: Sandbox, io: IO, say: (line: string) => void): () => void {
  // cooked mode (terminal: false): Ctrl-C stays the terminal's interrupt, handled like everywhere else
  const lines = createInterface({ input: io.stdin, terminal: false });
  lines.on('line', (text) => void run(sandbox, text.trim().split(/\s+/).filter(Boolean), say));
  return () => lines.close();
}

async function run(sandbox: Sandbox, words: string[], say: (line: string) => void): Promise<void> {
  const [command, ...args] = words;
  switch (command) {
    case undefined:
      return;
    case 'session': {
      const failed = args.includes('failed');
      const userRef = args.find((a) => a !== 'failed');
      const d = sandbox.completeSession(userRef, failed ? 'NOT-VERIFIED' : 'VERIFIED');
      return say(`queued ${d.event} ${d.id} (${failed ? 'NOT-VERIFIED' : 'VERIFIED'}, ref ${d.reference})`);
    }
    case 'workflow': {
      const outcome = (args[0] ?? 'completed') as (typeof OUTCOMES)[number];
      if (!OUTCOMES.includes(outcome)) return say(`a workflow run ends ${OUTCOMES.join(', ')}`);
      const d = sandbox.raise(`workflow.process.${outcome}`);
      return say(`queued ${d.event} ${d.id}`);
    }
    case 'watchlist': {
      const d = sandbox.raise('watchlist.identity_flagged');
      return say(`queued ${d.event} ${d.id}`);
    }
    case 'resend': {
      const id = args[0];
      if (!id) return say('resend which delivery? resend <id> (deliveries lists them)');
      const attempt = await sandbox.dispatcher.resend(id);
      if (!attempt) say(`no delivery ${visible(id)}: deliveries lists them`);
      return;
    }
    case 'deliveries': {
      const all = sandbox.dispatcher.list();
      if (all.length === 0) return say('no webhook yet');
      for (const d of all.slice(-20))
        say(`${d.id}  ${d.event}  ${d.state}  ${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'}`);
      return;
    }
    case 'help':
      return say(TERMINAL_HELP);
    default:
      return say(`unknown command ${visible(command)}: ${TERMINAL_HELP}`);
  }
}

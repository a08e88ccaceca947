import type { ChalkInstance } from 'chalk';
import { maskUrl } from '../../core/http/url.js';
import type { IO } from '../../output/io.js';
import { formatDuration } from '../../output/render/format.js';
import { tones } from '../../output/palette.js';

/**
 * `--wait-for-listener <duration>` (trigger, its load mode, doctor): retries a refused connection
 * for a receiver started in the same CI step, saying that it waits and when nothing came. Sending
 * goes ahead either way; its own error then says what happened.
 */
export async function waitForListener(io: IO, err: ChalkInstance, url: URL, ms: number | undefined): Promise<void> {
  if (!ms) return;
  const { waitForTarget } = await import('../../core/http/wait.js');
  io.stderr.write(tones(err).dim(`waiting up to ${formatDuration(ms)} for ${maskUrl(url)} to accept connections…`) + '\n');
  if (!(await waitForTarget(url, ms, io.signal)) && !io.signal.aborted) {
    io.stderr.write(tones(err).warn(`nothing accepted connections at ${maskUrl(url)} within ${formatDuration(ms)}`) + '\n');
  }
}

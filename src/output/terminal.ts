import type { ChalkInstance } from 'chalk';
import { colorLevel, loadChalk, type IO } from './io.js';

/**
 * What the terminal allows, decided once for every command: whether the live view may draw, and
 * the colour of each stream. ink's own rule is honoured: in CI (a CI variable set, as the is-in-ci
 * package reads it) ink writes only the last frame, so a CI job gets plain lines even on a TTY.
 */
export interface Terminal {
  /** stdout is a person's terminal: the live view (or a progress line) may draw. */
  interactive: boolean;
  /** stderr is a terminal outside CI: a progress line that rewrites itself may draw there. */
  progress: boolean;
  /** Whether stdout gets colour. */
  color: boolean;
  out: ChalkInstance;
  err: ChalkInstance;
}

/** CI as ink (through is-in-ci) decides it. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  if (env.CI === '0' || env.CI === 'false') return false;
  return 'CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((name) => name.startsWith('CI_'));
}

/** The terminal for a command with `--no-color` (`color: false`) and, where it has one, `--json`. */
export async function terminal(io: IO, { color = true, json = false }: { color?: boolean; json?: boolean } = {}): Promise<Terminal> {
  const outLevel = colorLevel(io, io.stdout, !color);
  const errLevel = colorLevel(io, io.stderr, !color);
  const ci = inCi(io.env);
  return {
    interactive: Boolean(io.stdout.isTTY) && !json && !ci,
    progress: Boolean(io.stderr.isTTY) && !json && !ci,
    color: outLevel > 0,
    out: await loadChalk(outLevel),
    err: await loadChalk(errLevel),
  };
}

import type { ChalkInstance } from 'chalk';

/**
 * The one mapping from meaning to colour. Renderers say what a thing is (a tone); chalk (plain
 * output) and ink (the live view) each get their colours from here.
 */
export type Tone =
  | 'plain'
  | 'good'
  | 'bad'
  | 'warn'
  | 'dim'
  | 'title'
  /** A fact worth seeing but neither good nor bad: a retry flag, a replay. */
  | 'info'
  /** Something repeated: a duplicate token. */
  | 'mark'
  /** Emphasis without a judgement. */
  | 'strong';

/** VERIFIED is good news, NOT-VERIFIED bad, PENDING still to come; anything else is background. */
export function identityTone(status: string | null | undefined): Tone {
  if (status === 'VERIFIED') return 'good';
  if (status === 'NOT-VERIFIED') return 'bad';
  if (status === 'PENDING') return 'warn';
  return 'dim';
}

/** An HTTP answer as Identitypass sees it: exactly 200 is delivered, anything else needs a look. */
export function answerTone(status: number | null): Tone {
  if (status === null) return 'dim';
  return status === 200 ? 'good' : 'warn';
}

/** The ink colour name for a tone; undefined leaves the terminal's own colour. */
export const TONE_COLOURS: Record<Tone, string | undefined> = {
  plain: undefined,
  good: 'green',
  bad: 'red',
  warn: 'yellow',
  dim: 'gray',
  title: 'cyan',
  info: 'cyan',
  mark: 'magenta',
  strong: undefined,
};

export type Painter = Record<Tone, (text: string) => string>;

/** chalk painters for each tone. */
export function painter(c: ChalkInstance): Painter {
  return {
    plain: (t) => t,
    good: c.green,
    bad: c.red,
    warn: c.yellow,
    dim: c.dim,
    title: (t) => c.bold.cyan(t),
    info: c.cyan,
    mark: c.magenta,
    strong: c.bold,
  };
}

const painters = new WeakMap<ChalkInstance, Painter>();

/** The painters for a chalk instance, made once: renderers say a tone, never a colour. */
export function tones(c: ChalkInstance): Painter {
  let found = painters.get(c);
  if (!found) painters.set(c, (found = painter(c)));
  return found;
}

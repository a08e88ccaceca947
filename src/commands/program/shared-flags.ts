import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY, SCHEMES, type Scheme } from '../../core/signing/schemes.js';
import { ValueError, withoutPassword } from '../../flags/values.js';
import { UsageError } from '../../output/errors.js';
import type { IO } from '../../output/io.js';
import { InvalidArgumentError, Option, type Command } from './commander.js';

/** What every command gets from the program: the streams, and a place to put its exit code. */
export interface CommandContext {
  io: IO;
  exitCode: number;
}

/** A command's run function: options in, exit code out (as gh's runF, swappable so flag tests run nothing). */
export type RunCommand<Options> = (options: Options, io: IO) => Promise<number>;

/** `--json`, `--no-color`, `--debug`. */
export interface OutputOptions {
  json?: boolean;
  color: boolean;
  debug?: boolean;
}

/** The output options plus `--public-key` and `--scheme`. */
export interface SharedOptions extends OutputOptions {
  publicKey: string;
  livePublicKey: string;
  scheme: Scheme;
}

/** Adapts a value parser that throws ValueError into one commander reports as an invalid argument. */
export function argParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      // commander's own message would echo the value whole, line breaks and escapes included
      if (error instanceof ValueError && (CONTROLS.test(text) || withoutPassword(text) !== text)) throw new UsageError(error.message);
      if (error instanceof ValueError) throw new InvalidArgumentError(withoutEcho(error.message, text));
      throw error;
    }
  };
}

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * commander already says "option '--to <url>' argument 'x' is invalid."; the parser's message then
 * starts again with the flag and the value. Drop that echo so each error says once what is wrong.
 */
function withoutEcho(message: string, text: string): string {
  return message.replace(new RegExp(`^(--[\\w-]+ )?("${escapeRegExp(text)}" )?(is )?`), '');
}

export function collect<T>(parse: (text: string) => T) {
  return (text: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(text)];
}

/** What the shared key and scheme flags mean to a command: it signs with them, or it verifies with them. */
const SHARED_HELP = {
  sign: {
    publicKey: 'your sandbox public key (test_pk_…): signs the kinds Prembly signs with it',
    livePublicKey:
      'your live public key (live_pk_…): signs workflow, async, retry, Customer 360 and watchlist events, as Prembly does even from sandbox',
    scheme: 'the scheme to sign with: prembly-hmac (current); prembly-legacy and identitypass are legacy static schemes',
  },
  verify: {
    publicKey: 'your sandbox public key (test_pk_…): deliveries are verified with it first',
    livePublicKey:
      'your live public key (live_pk_…): tried second; Prembly signs workflow, async, retry, Customer 360 and watchlist events with it, even from sandbox',
    scheme: 'the scheme you expect: every delivery is still checked in the scheme it uses, and one in another scheme gets a note',
  },
} as const;

/** `--public-key`, `--live-public-key`, `--scheme`, then the output options, described for a command that signs or verifies. */
export function addSharedOptions(
  command: Command,
  { json = true, role = 'sign', scheme = true }: { json?: boolean; role?: 'sign' | 'verify'; scheme?: boolean } = {},
): Command {
  const help = SHARED_HELP[role];
  command
    .addOption(new Option('--public-key <key>', help.publicKey).env('IDPASS_PUBLIC_KEY').default(BUILTIN_TEST_KEY, 'built-in test key'))
    .addOption(
      new Option('--live-public-key <key>', help.livePublicKey)
        .env('IDPASS_LIVE_PUBLIC_KEY')
        .default(BUILTIN_LIVE_TEST_KEY, 'built-in test live key'),
    );
  if (scheme) {
    // verifying, no --scheme means any scheme is accepted (each delivery is checked in the one it uses)
    const shown = role === 'verify' ? 'any' : undefined;
    command.addOption(new Option('--scheme <name>', help.scheme).choices(SCHEMES).env('IDPASS_SCHEME').default('prembly-hmac', shown));
  }
  return addOutputOptions(command, { json });
}

/** `--json`, `--no-color`, `--debug`: for commands that neither sign nor verify. */
export function addOutputOptions(command: Command, { json = true }: { json?: boolean } = {}): Command {
  if (json) command.option('--json', 'machine output: one JSON object per line on stdout');
  command
    .addOption(new Option('--no-color', 'no colour (also NO_COLOR=1)'))
    .addOption(new Option('--debug', 'stack traces and internals on stderr').env('IDPASS_DEBUG'));
  return command;
}

import { Command, Option } from '../output/commander.js';
import { ExitCode, UsageError } from '../output/errors.js';
import { colorLevel, loadChalk, writeLine, type IO } from '../output/io.js';
import { addSharedOptions, argParser, checkPublicKey, collect, type CommandContext, type SharedOptions } from './shared.js';
import { ValueError } from '../core/units.js';

/** `idpass verify`: check a captured request offline and explain it as `idpass listen` would. */

export interface VerifyFlags extends SharedOptions {
  body?: string;
  header?: [string, string][];
  showPii?: boolean;
}

/** `name: value`, as curl and HTTP logs write headers. */
export function parseHeaderLine(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new ValueError(`"${text}" has no "name: value" form; write it like --header "x-prembly-signature: <value>"`);
  }
  const name = text.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ValueError(`"${name}" is not a header name`);
  return [name, text.slice(colon + 1).trim()];
}

export function createVerifyCommand(ctx: CommandContext): Command {
  const command = new Command('verify')
    .description(
      'Check a captured request offline: the body bytes and the headers it came with.\n' +
        'Exit codes: 0 the signature is valid, 1 it is not (or it is missing), 2 bad input.',
    )
    .option('--body <file>', 'the raw body, exactly as received (- reads stdin)')
    .addOption(new Option('-H, --header <line>', '"name: value", repeatable (at least the signature header and token)').argParser(collect(argParser(parseHeaderLine))))
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and images unredacted');
  addSharedOptions(command);
  command.action(async (flags: VerifyFlags, self: Command) => {
    const expectScheme = self.getOptionValueSource('scheme') !== 'default';
    ctx.exitCode = await runVerifyCommand({ ...flags, scheme: flags.scheme }, expectScheme, ctx.io);
  });
  return command;
}

async function readBody(path: string, io: IO): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks);
    }
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read --body ${path}: ${why}`, 'save the raw request body to a file, byte for byte, and pass its path');
  }
}

export async function runVerifyCommand(flags: VerifyFlags, expectScheme: boolean, io: IO): Promise<number> {
  if (!flags.body) throw new UsageError('--body is missing', 'idpass verify --body body.json --header "x-prembly-signature: …" --header "token: …"');
  if (!flags.header?.length) {
    throw new UsageError('no --header given: the signature travels in the headers', 'pass each header as --header "name: value", at least x-prembly-signature (or x-identitypass-signature) and token');
  }
  checkPublicKey(flags.publicKey, io);
  const body = await readBody(flags.body, io);
  const { describeDelivery } = await import('../core/describe.js');
  const delivery = describeDelivery({
    id: 'captured',
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/',
    headers: flags.header,
    body,
    publicKey: flags.publicKey,
    expectedScheme: expectScheme ? flags.scheme : undefined,
  });
  const code = delivery.verification.valid ? ExitCode.ok : ExitCode.checkFailed;
  if (flags.json) {
    const { deliveryJson } = await import('../output/delivery-format.js');
    const { type: _type, id: _id, receivedAt: _at, forward: _f, answerStatus: _a, stored: _s, ...rest } = deliveryJson(delivery, Boolean(flags.showPii));
    writeLine(io.stdout, JSON.stringify({ valid: delivery.verification.valid, ...rest }));
    return code;
  }
  const { detailLines } = await import('../output/delivery-detail.js');
  const { printDetail } = await import('../output/detail-print.js');
  const lines = detailLines(delivery, Boolean(flags.showPii), ['signature', 'result']);
  printDetail(lines, io, await loadChalk(colorLevel(io, io.stdout, !flags.color)));
  return code;
}

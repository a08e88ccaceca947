/** `idpass verify`: check a captured request offline and explain it as `idpass listen` would. */

import type { Delivery } from '../../core/delivery/types.js';
import { parseHeaderLine } from '../../flags/values.js';
import { ExitCode, UsageError } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import { Command, Option } from '../program/commander.js';
import { addSharedOptions, argParser, collect, type CommandContext, type SharedOptions } from '../program/shared-flags.js';
import { checkKeys } from '../program/keys.js';
import { readInput } from '../steps/read-input.js';
import { safeJson } from '../../output/sanitize.js';

export interface VerifyCommandOptions extends SharedOptions {
  body?: string;
  header?: [string, string][];
  showPii?: boolean;
  /** Whether --scheme / IDPASS_SCHEME was given (else any scheme is expected). */
  expectScheme?: boolean;
}

export function createVerifyCommand(ctx: CommandContext): Command {
  const command = new Command('verify')
    .description(
      'Check a captured request offline: the body bytes and the headers it came with.\n' +
        'Exit codes: 0 the signature is valid, 1 it is not (or it is missing), 2 bad input.',
    )
    .option('--body <file>', 'the raw body, exactly as received (- reads stdin)')
    .addOption(
      new Option('-H, --header <line>', '"name: value", repeatable (at least the signature header and token)').argParser(
        collect(argParser(parseHeaderLine)),
      ),
    )
    .option('--show-pii', 'show ID numbers, dates of birth, phone numbers and images unredacted');
  addSharedOptions(command, { role: 'verify' });
  command.action(async (flags: VerifyCommandOptions, self: Command) => {
    ctx.exitCode = await runVerify({ ...flags, expectScheme: self.getOptionValueSource('scheme') !== 'default' }, ctx.io);
  });
  return command;
}

export async function runVerify(options: VerifyCommandOptions, io: IO): Promise<number> {
  if (!options.body)
    throw new UsageError('--body is missing', 'idpass verify --body body.json --header "x-prembly-signature: …" --header "token: …"');
  if (!options.header?.length) {
    throw new UsageError(
      'no --header given: the signature travels in the headers',
      'pass each header as --header "name: value", at least x-prembly-signature (or x-identitypass-signature) and token',
    );
  }
  checkKeys(options, io);
  const body = await readInput(options.body, io, {
    flag: '--body',
    hint: 'save the raw request body to a file, byte for byte, and pass its path',
  });
  const { describeDelivery } = await import('../../core/delivery/describe.js');
  const delivery = describeDelivery({
    id: 'captured',
    receivedAt: new Date().toISOString(),
    method: 'POST',
    path: '/',
    headers: options.header,
    body,
    publicKey: options.publicKey,
    livePublicKey: options.livePublicKey,
    expectedScheme: options.expectScheme ? options.scheme : undefined,
  });
  await printVerification(delivery, options, io);
  return delivery.verification.valid ? ExitCode.ok : ExitCode.checkFailed;
}

/** The verification as JSON, or the signature and result sections of the detail view. */
async function printVerification(delivery: Delivery, options: VerifyCommandOptions, io: IO): Promise<void> {
  if (options.json) {
    const { deliveryJson } = await import('../../output/render/delivery-json.js');
    const {
      type: _type,
      id: _id,
      receivedAt: _at,
      forward: _f,
      answerStatus: _a,
      stored: _s,
      ...rest
    } = deliveryJson(delivery, Boolean(options.showPii));
    writeLine(io.stdout, safeJson({ valid: delivery.verification.valid, ...rest }));
    return;
  }
  const { detailLines } = await import('../../output/render/detail.js');
  const { printDetail } = await import('../../output/render/print-detail.js');
  printDetail(detailLines(delivery, Boolean(options.showPii), ['signature', 'result']), io, (await terminal(io, options)).out);
}

import { BUILTIN_LIVE_TEST_KEY, BUILTIN_TEST_KEY } from '../../core/signing/schemes.js';
import { ExitCode } from '../../output/errors.js';
import { writeLine, type IO } from '../../output/io.js';
import { terminal } from '../../output/terminal.js';
import type { OutputOptions } from '../program/shared-flags.js';
import { lookup } from './store-access.js';
import { safeJson } from '../../output/sanitize.js';

export interface ShowOptions extends OutputOptions {
  showPii?: boolean;
}

/** `idpass events show <id>`: everything recorded about one delivery, explained as listen does. */
export async function runShow(id: string, options: ShowOptions, io: IO): Promise<number> {
  const { record } = await lookup(id, io);
  const { deliveryFromRecord } = await import('../../core/store/codec.js');
  const delivery = deliveryFromRecord(record, {
    publicKey: io.env.IDPASS_PUBLIC_KEY || BUILTIN_TEST_KEY,
    livePublicKey: io.env.IDPASS_LIVE_PUBLIC_KEY || BUILTIN_LIVE_TEST_KEY,
  });
  const showPii = Boolean(options.showPii);
  if (options.json) {
    const { deliveryJson } = await import('../../output/render/delivery-json.js');
    const { headerValue, maskedCredential } = await import('../../output/render/detail.js');
    // signature values (a static one is the public key in base64) and the raw body only with --show-pii
    const headers = record.headers.map(([name, value]) => [
      name,
      showPii ? (maskedCredential(name, value) ?? value) : headerValue(name, value),
    ]);
    writeLine(
      io.stdout,
      safeJson({
        ...deliveryJson(delivery, showPii),
        headers,
        forwardTo: record.forwardTo,
        ...(record.forwardTargets ? { forwardTargets: record.forwardTargets } : {}),
        ...(showPii ? { rawBody: record.body } : {}),
      }),
    );
    return ExitCode.ok;
  }
  const { detailLines } = await import('../../output/render/detail.js');
  const { printDetail } = await import('../../output/render/print-detail.js');
  printDetail(detailLines(delivery, showPii), io, (await terminal(io, options)).out);
  return ExitCode.ok;
}

/** listen's web inspector: on by default in the live view, with --inspect in plain or --json mode, off with --no-inspect. */

import type { ListenSession } from '../../core/session/listen-session.js';
import { writeLine, type IO } from '../../output/io.js';
import type { Terminal } from '../../output/terminal.js';
import { tones } from '../../output/palette.js';
import type { ListenOptions } from './options.js';
import { packageVersion } from '../program/version.js';

export type RunningInspector = Awaited<ReturnType<typeof startListenInspector>>;

export async function startListenInspector(options: ListenOptions, io: IO, term: Terminal, session: ListenSession) {
  const on = options.inspect ?? term.interactive;
  if (!on) return null;
  const { Inspector } = await import('../../inspector/server/server.js');
  const { defaultStateDir } = await import('../../core/store/location.js');
  const inspector = new Inspector({
    showPii: Boolean(options.showPii),
    keys: { publicKey: options.publicKey, livePublicKey: options.livePublicKey },
    scheme: options.scheme,
    storeDir: options.store ? defaultStateDir(io.env) : null,
    placeOf: (id) => session.storedAt(id)?.place ?? null,
    follow: false,
    receiverUrl: null,
    version: packageVersion(),
  });
  const bound = await inspector.start('127.0.0.1', options.inspectPort, true);
  if (bound.fellBack && !term.interactive)
    writeLine(io.stderr, tones(term.err).warn(`note: port ${options.inspectPort} was taken: the inspector is on ${bound.port}`));
  session.on('fact', (fact) => {
    inspector.fact(fact);
    if (fact.type === 'ready')
      inspector.options.receiverUrl = fact.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  });
  return inspector;
}

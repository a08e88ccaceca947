import { tunnelWanted } from './relay-options.js';
import type { Delivery } from '../../core/delivery/types.js';
import type { ListenSessionFact } from '../../core/receive/facts.js';
import type { ListenSession } from '../../core/session/listen-session.js';
import { exposedHostWarning } from '../../flags/values.js';
import type { IO } from '../../output/io.js';
import type { Terminal } from '../../output/terminal.js';
import { describeKeys } from '../program/keys.js';
import type { ListenOptions } from './options.js';
import { withoutLargeBody } from '../../output/render/held.js';
import type { ListenReady, ListenRenderer } from '../../output/render/listen-renderers.js';
import { openInBrowser } from '../steps/open-browser.js';

/**
 * The live view as listen's renderer: facts wait in a backlog until the ink view is mounted (once
 * the listener is bound), then pass straight through. The view is the only part that reads keys;
 * its quit stops the session.
 */
export function liveRenderer(
  options: ListenOptions,
  io: IO,
  term: Terminal,
  session: ListenSession,
  inspector: string | null,
): ListenRenderer {
  const backlog: ListenSessionFact[] = [];
  let sink: ((fact: ListenSessionFact) => void) | null = null;
  let view: { unmount(): void } | null = null;
  const unmount = () => {
    view?.unmount();
    view = null;
  };
  const subscribe = (onFact: (fact: ListenSessionFact) => void) => {
    sink = onFact;
    for (const fact of backlog.splice(0)) onFact(fact);
    return () => {
      sink = null;
    };
  };
  return {
    fact: (given) => {
      // the view never holds a large body: it reads it back from the store when the details open
      const kept = given.type === 'received' || given.type === 'completed' ? withoutLargeBody(given.delivery) : null;
      const fact = kept && kept !== (given as { delivery: Delivery }).delivery ? { ...given, delivery: kept } : given;
      if (sink) sink(fact);
      else backlog.push(fact);
    },
    ready: async (at) => {
      view = await mountLiveView(options, io, term, session, { ...at, inspector }, subscribe);
    },
    ended: () => unmount(),
    close: async () => unmount(),
  };
}

async function mountLiveView(
  options: ListenOptions,
  io: IO,
  term: Terminal,
  session: ListenSession,
  at: ListenReady & { inspector: string | null },
  subscribe: (onFact: (fact: ListenSessionFact) => void) => () => void,
): Promise<{ unmount(): void }> {
  if (!term.color) io.env.FORCE_COLOR = '0'; // ink's own chalk reads this when it loads
  const { createElement } = await import('react');
  const { render } = await import('ink');
  const { LiveView } = await import('../../ui/live-view.js');
  const { ListenError } = await import('../../core/receive/bind.js');
  // a row whose large body the view let go of is read back from the store first
  const load = async (delivery: Delivery): Promise<Delivery> => {
    if (!delivery.bodyReleased) return delivery;
    const whole = await session.loadBody(delivery.id);
    if (!whole) return delivery;
    // the row keeps what it knows (signature, result, the app's answers); the store gives back the
    // parsed body, and of the raw bytes only what the details show of a body that is not JSON (a
    // view's props never carry megabytes: React walks them)
    const shown = whole.json === undefined ? (whole.body?.subarray(0, 4096) ?? null) : null;
    return { ...delivery, json: whole.json, body: shown, decodedLength: whole.decodedLength, bodyReleased: false };
  };
  const replay = async (delivery: Delivery) => {
    try {
      // a replay sends the original bytes: all of them, read back from the store when the row let go of them
      const whole = delivery.bodyReleased ? await session.loadBody(delivery.id) : null;
      return withoutLargeBody(await session.replay(whole ? { ...delivery, ...whole } : delivery));
    } catch (error) {
      if (error instanceof ListenError && error.code === 'no-forward-target') {
        throw new Error('nothing to replay to: start idpass listen with --forward-to <your app>', { cause: error });
      }
      throw error;
    }
  };
  const targets = session.listener.forwardTargets;
  const view = createElement(LiveView, {
    header: {
      local: at.url,
      sendHint: at.sendHint,
      forward: targets.length ? targets.join(', ') : null,
      key: describeKeys(options),
      scheme: options.expectScheme ? `expecting ${options.scheme}` : 'any scheme',
      store: session.listener.storeFile,
      inspector: at.inspector,
    },
    initialTunnel: tunnelWanted(options) ? { state: 'connecting', host: options.tunnelHost.origin } : { state: 'off' },
    subscribe,
    replay,
    load,
    onQuit: () => session.stop(),
    openInspector: at.inspector ? () => openInBrowser(at.inspector!, io.env) : undefined,
    color: term.color,
    showPii: Boolean(options.showPii),
    notice: exposedHostWarning(options.host),
  });
  const instance = render(view, {
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  void instance.waitUntilExit().then(() => session.stop());
  return instance;
}

import type { Delivery } from '../../core/delivery/types.js';
import type { ListenSessionFact } from '../../core/receive/facts.js';
import type { ListenSession } from '../../core/session/listen-session.js';
import { exposedHostWarning } from '../../flags/values.js';
import type { IO } from '../../output/io.js';
import type { Terminal } from '../../output/terminal.js';
import { describeKeys } from '../program/keys.js';
import type { ListenOptions } from './options.js';
import type { ListenReady, ListenRenderer } from '../../output/render/listen-renderers.js';

/**
 * The live view as listen's renderer: facts wait in a backlog until the ink view is mounted (once
 * the listener is bound), then pass straight through. The view is the only part that reads keys;
 * its quit stops the session.
 */
export function liveRenderer(options: ListenOptions, io: IO, term: Terminal, session: ListenSession): ListenRenderer {
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
    fact: (fact) => (sink ? sink(fact) : backlog.push(fact)),
    ready: async (at) => {
      view = await mountLiveView(options, io, term, session, at, subscribe);
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
  at: ListenReady,
  subscribe: (onFact: (fact: ListenSessionFact) => void) => () => void,
): Promise<{ unmount(): void }> {
  if (!term.color) io.env.FORCE_COLOR = '0'; // ink's own chalk reads this when it loads
  const { createElement } = await import('react');
  const { render } = await import('ink');
  const { LiveView } = await import('../../ui/live-view.js');
  const { ListenError } = await import('../../core/receive/bind.js');
  const replay = async (delivery: Delivery) => {
    try {
      return await session.replay(delivery);
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
    },
    initialTunnel: options.tunnel ? { state: 'connecting', host: options.tunnelHost.origin } : { state: 'off' },
    subscribe,
    replay,
    onQuit: () => session.stop(),
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

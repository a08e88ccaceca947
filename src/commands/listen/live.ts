import type { Delivery } from '../../core/delivery/types.js';
import type { ListenFact } from '../../core/receive/facts.js';
import type { Listener } from '../../core/receive/listener.js';
import type { IO } from '../../output/io.js';
import { describeKeys } from '../shared/options.js';
import type { ListenOptions } from './listen.js';

/** Mounts the ink live view on the IO's terminal; the view is the only part that reads keys. */
export interface LiveViewMount {
  flags: ListenOptions;
  url: string;
  sendHint: string;
  listener: Listener;
  subscribe(onFact: (fact: ListenFact) => void): () => void;
  onQuit(): void;
  color: boolean;
  /** A warning to show from the start (an exposed bind address). */
  notice: string | null;
}

export async function mountLiveView(
  io: IO,
  { flags, url, sendHint, listener, subscribe, onQuit, color, notice }: LiveViewMount,
): Promise<{ unmount(): void }> {
  if (!color) io.env.FORCE_COLOR = '0'; // ink's own chalk reads this when it loads
  const { createElement } = await import('react');
  const { render } = await import('ink');
  const { LiveView } = await import('../../ui/live-view.js');
  const { ListenError } = await import('../../core/receive/bind.js');
  const replay = async (delivery: Delivery) => {
    try {
      return await listener.replay(delivery);
    } catch (error) {
      if (error instanceof ListenError && error.code === 'no-forward-target') {
        throw new Error('nothing to replay to: start idpass listen with --forward-to <your app>', { cause: error });
      }
      throw error;
    }
  };
  const view = createElement(LiveView, {
    header: {
      local: url,
      sendHint,
      forward: listener.forwardTargets.length ? listener.forwardTargets.join(', ') : null,
      key: describeKeys(flags),
      scheme: flags.expectScheme ? `expecting ${flags.scheme}` : 'any scheme',
      store: listener.storeFile,
    },
    initialTunnel: flags.tunnel ? { state: 'connecting', host: flags.tunnelHost.origin } : { state: 'off' },
    subscribe,
    replay,
    onQuit,
    color,
    showPii: Boolean(flags.showPii),
    notice,
  });
  const instance = render(view, {
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  void instance.waitUntilExit().then(onQuit);
  return instance;
}

import type { Delivery } from '../../core/delivery/types.js';
import type { ListenFact } from '../../core/receive/facts.js';
import type { IO } from '../../output/io.js';
import type { HeaderInfo, TunnelView } from '../../ui/live-view.js';

/** Mounts the ink live view on the IO's terminal; the view is the only part that reads keys. */
export interface LiveViewMount {
  header: HeaderInfo;
  initialTunnel: TunnelView;
  subscribe(onFact: (fact: ListenFact) => void): () => void;
  replay(delivery: Delivery): Promise<Delivery>;
  onQuit(): void;
  color: boolean;
  showPii: boolean;
}

export async function mountLiveView(io: IO, props: LiveViewMount): Promise<{ unmount(): void; waitUntilExit(): Promise<unknown> }> {
  if (!props.color) io.env.FORCE_COLOR = '0'; // ink's own chalk reads this when it loads
  const { createElement } = await import('react');
  const { render } = await import('ink');
  const { LiveView } = await import('../../ui/live-view.js');
  return render(createElement(LiveView, props), {
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.stderr as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
}

/**
 * The live view of `idpass listen` (ink). This root is the only part of ui/ that others import,
 * the only part that talks to core (through its props), and the one owner of the exit.
 */

import { useEffect, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdin } from 'ink';
import type { Delivery } from '../core/delivery/types.js';
import type { ListenSessionFact } from '../core/receive/facts.js';
import { DeliveryList } from './components/delivery-list.js';
import { Detail } from './components/detail-pane.js';
import { Header, headerLines } from './components/header.js';
import { Help } from './components/help.js';
import { useTerminalSize } from './components/terminal-size.js';
import type { HeaderInfo, Paint } from './components/types.js';
import { Waiting } from './components/waiting.js';
import { visible } from '../output/sanitize.js';
import { initialViewState, reduce, selectedRow, type TunnelView, type ViewAction } from './view-model.js';

export type { HeaderInfo } from './components/types.js';
export type { TunnelView } from './view-model.js';
export { layoutColumns } from './components/columns.js';

export interface LiveViewProps {
  header: HeaderInfo;
  initialTunnel: TunnelView;
  /** Registers for facts; returns the unsubscribe. Facts that came before are delivered at once. */
  subscribe(onFact: (fact: ListenSessionFact) => void): () => void;
  replay(delivery: Delivery): Promise<Delivery>;
  /** A delivery whose large body was let go of, read back whole (from the store) for its details. */
  load?(delivery: Delivery): Promise<Delivery>;
  onQuit(): void;
  /** `o`: opens the web inspector in a browser; resolves with what to tell the user. */
  openInspector?(): Promise<string>;
  color: boolean;
  showPii: boolean;
  /** A warning shown from the start, until another message replaces it. */
  notice?: string | null;
  /** How often buffered facts are drawn: one render per batch keeps 100 deliveries/s calm. */
  batchMs?: number;
}

/** The one root: owns the state, the keyboard and the only exit. */
/** The letters that move the view, each as the key it stands for. */
const LETTER_KEYS: Record<string, 'up' | 'down' | 'top' | 'bottom' | 'clear' | 'help'> = {
  k: 'up',
  j: 'down',
  g: 'top',
  G: 'bottom',
  c: 'clear',
  '?': 'help',
};

function footer(state: { help: boolean; detail: boolean }): string {
  if (state.help) return 'esc or ? close help · q quit';
  if (state.detail) return '↑↓ j k scroll · enter or esc back to the list · r replay · q quit';
  return '↑↓ select · enter details · r replay · c clear · ? help · q quit';
}

/** Facts arrive any time; the view takes them in batches, at most every `batchMs`, so a burst draws once. */
function useBatchedFacts(
  subscribe: LiveViewProps['subscribe'],
  batchMs: number,
  dispatch: (action: { type: 'facts'; facts: ListenSessionFact[] }) => void,
): void {
  const buffer = useRef<ListenSessionFact[]>([]);
  useEffect(() => {
    const unsubscribe = subscribe((fact) => buffer.current.push(fact));
    const timer = setInterval(() => {
      if (buffer.current.length === 0) return;
      const facts = buffer.current;
      buffer.current = [];
      dispatch({ type: 'facts', facts });
    }, batchMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, []);
}

/**
 * The delivery whose details are open, read back whole when the view let go of its large body;
 * held only while those details stay open.
 */
function useOpenedBody(load: LiveViewProps['load'], detailOpen: boolean, current: Delivery | undefined): Delivery | null {
  const [loaded, setLoaded] = useState<Delivery | null>(null);
  const wanted = detailOpen && current?.bodyReleased ? current : null;
  useEffect(() => {
    setLoaded(null);
    if (!wanted || !load) return;
    let live = true;
    load(wanted).then(
      (whole) => live && setLoaded(whole),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wanted?.id, load]);
  return loaded;
}

/** The open row, or its whole self once read back. */
function opened(current: Delivery, loaded: Delivery | null): Delivery {
  return loaded && loaded.id === current.id ? loaded : current;
}

/** A key's work that finishes later: its result, or its error as the message line. */
function settle<T>(work: Promise<T>, dispatch: (action: ViewAction) => void, done: (value: T) => ViewAction): void {
  work.then(
    (value) => dispatch(done(value)),
    (error: Error) => dispatch({ type: 'message', text: error.message, tone: 'error' }),
  );
}

export function LiveView(props: LiveViewProps) {
  const { header, color, showPii, batchMs = 50 } = props;
  const paint: Paint = (colour) => (color && colour ? colour : undefined);
  const [state, dispatch] = useReducer(reduce, props.initialTunnel, (tunnel) => ({
    ...initialViewState(tunnel),
    message: props.notice ? { text: `warning: ${props.notice}`, tone: 'warn' as const } : null,
  }));
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize();
  useBatchedFacts(props.subscribe, batchMs, dispatch);

  const quit = () => {
    props.onQuit();
    exit();
  };

  const onLetter = (input: string) => {
    const key = LETTER_KEYS[input];
    if (key) return dispatch({ type: 'key', key });
    if (input === 'o' && props.openInspector)
      return settle(props.openInspector(), dispatch, (text) => ({ type: 'message', text, tone: 'info' }));
    if (input === 'r') {
      const row = selectedRow(state);
      if (!row) return;
      dispatch({ type: 'message', text: `replaying ${row.id}…`, tone: 'info' });
      settle(props.replay(row), dispatch, (delivery) => ({ type: 'replayed', delivery }));
    }
  };

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) return quit();
      if (key.upArrow) return dispatch({ type: 'key', key: 'up' });
      if (key.downArrow) return dispatch({ type: 'key', key: 'down' });
      if (key.return) return dispatch({ type: 'key', key: 'enter' });
      if (key.escape) return dispatch({ type: 'key', key: 'escape' });
      if (key.ctrl || key.meta) return;
      // keys typed fast arrive together ("jjj"): each letter is its own key press
      for (const letter of input) onLetter(letter);
    },
    { isActive: isRawModeSupported === true },
  );

  const headerHeight = headerLines(state, size.columns, header);
  const footerHeight = 2;
  const body = Math.max(3, size.rows - headerHeight - footerHeight - 1);
  const current = selectedRow(state);
  const loaded = useOpenedBody(props.load, state.detail, current);
  const message = state.message;
  return (
    <Box flexDirection="column" width={size.columns}>
      <Header header={header} state={state} paint={paint} width={size.columns} />
      {state.help ? (
        <Help paint={paint} />
      ) : state.detail && current ? (
        <Detail
          delivery={opened(current, loaded)}
          paint={paint}
          showPii={showPii}
          height={body}
          width={size.columns}
          scroll={state.detailScroll}
        />
      ) : state.rows.length === 0 ? (
        <Waiting header={header} state={state} paint={paint} />
      ) : (
        <DeliveryList state={state} paint={paint} columns={size.columns} height={body} />
      )}
      <Text wrap="truncate" color={paint(message?.tone === 'error' ? 'red' : message?.tone === 'warn' ? 'yellow' : 'gray')}>
        {message ? visible(message.text) : ' '}
      </Text>
      <Text wrap="truncate" color={paint('gray')}>
        {footer(state)}
      </Text>
    </Box>
  );
}

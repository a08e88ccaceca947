import { useEffect, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import type { Delivery } from '../core/listener.js';
import { clockTime, type ListenFact } from '../output/delivery-format.js';
import { detailLines, type Tone } from '../output/delivery-detail.js';
import { forwardFailed, initialViewState, reduce, selectedRow, type TunnelView, type ViewState } from './view-model.js';

export interface HeaderInfo {
  local: string;
  forward: string | null;
  key: string;
  scheme: string;
  store: string | null;
}

export interface LiveViewProps {
  header: HeaderInfo;
  initialTunnel: TunnelView;
  /** Registers for facts; returns the unsubscribe. Facts that came before are delivered at once. */
  subscribe(onFact: (fact: ListenFact) => void): () => void;
  replay(delivery: Delivery): Promise<Delivery>;
  onQuit(): void;
  color: boolean;
  showPii: boolean;
  /** How often buffered facts are drawn: one render per batch keeps 100 deliveries/s calm. */
  batchMs?: number;
}

type Paint = (colour: string) => string | undefined;

const TONE_COLOURS: Record<Tone, string | undefined> = { plain: undefined, good: 'green', bad: 'red', warn: 'yellow', dim: 'gray', title: 'cyan' };

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** Keeps the size in step with the terminal, so a resize redraws at once. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 100, rows: stdout.rows || 30 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

interface Cell {
  text: string;
  colour?: string;
}

interface Column {
  id: string;
  title: string;
  width: number;
  /** Lower is more important; narrow terminals drop the highest first. */
  priority: number;
  cell(d: Delivery): Cell;
}

const SIG_WORDS: Record<string, string> = {
  valid: '✔',
  'missing-signature': '✘ missing',
  'empty-signature': '✘ empty',
  'malformed-signature': '✘ malformed',
  'wrong-key': '✘ wrong key',
  'body-mismatch': '✘ mismatch',
  'scheme-not-allowed': '✘ scheme',
};

const COLUMNS: Column[] = [
  { id: 'time', title: 'time', width: 8, priority: 2, cell: (d) => ({ text: clockTime(d.receivedAt), colour: 'gray' }) },
  {
    id: 'event',
    title: 'event',
    width: 26,
    priority: 0,
    cell: (d) => ({ text: d.classification.event ?? (d.jsonError ? 'not JSON' : d.tooLarge ? 'too large' : 'unrecognised') }),
  },
  {
    id: 'result',
    title: 'result',
    width: 15,
    priority: 0,
    cell: (d) => {
      const s = d.classification.identityStatus;
      const code = d.classification.responseCode;
      const text = `${s ?? '—'}${code ? ` ${code}` : ''}`;
      return { text, colour: s === 'VERIFIED' ? 'green' : s === 'NOT-VERIFIED' ? 'red' : s === 'PENDING' ? 'yellow' : undefined };
    },
  },
  {
    id: 'sig',
    title: 'signature',
    width: 12,
    priority: 1,
    cell: (d) => {
      const v = d.verification;
      const text = v.valid ? `✔ ${v.weak ? 'weak' : 'hmac'}` : (SIG_WORDS[v.reason] ?? '✘');
      return { text, colour: v.valid ? (v.weak ? 'yellow' : 'green') : 'red' };
    },
  },
  {
    id: 'forward',
    title: 'app',
    width: 12,
    priority: 3,
    cell: (d) => {
      if (!d.forward) return { text: d.answerStatus === null ? '…' : `${d.answerStatus} (no app)`, colour: 'gray' };
      const f = d.forward;
      const text = f.answered ? `${f.status} ${Math.round(f.ms)}ms` : `${f.status} ${f.error?.kind === 'timeout' ? 'timeout' : 'down'}`;
      return { text, colour: forwardFailed(d) ? (f.answered ? 'yellow' : 'red') : 'green' };
    },
  },
  {
    id: 'flags',
    title: 'flags',
    width: 12,
    priority: 4,
    cell: (d) => ({ text: [d.replayOf && 'replay', d.classification.retry && 'retry', d.duplicate && 'dup'].filter(Boolean).join(' '), colour: 'magenta' }),
  },
  { id: 'ref', title: 'ref', width: 8, priority: 5, cell: (d) => ({ text: d.classification.reference?.slice(0, 8) ?? '', colour: 'gray' }) },
  { id: 'product', title: 'product', width: 18, priority: 6, cell: (d) => ({ text: d.classification.product ?? '' }) },
];

/** The columns that fit, in display order; the event column gives up width last. */
export function layoutColumns(columns: number): { column: Column; width: number }[] {
  const available = columns - 2; // the selection marker
  const chosen = new Set<Column>();
  let used = 0;
  for (const column of [...COLUMNS].sort((a, b) => a.priority - b.priority)) {
    const need = column.width + (chosen.size ? 1 : 0);
    // strict priority: once one does not fit, no less important one jumps the queue
    if (column.priority > 0 && used + need > available) break;
    chosen.add(column);
    used += need;
  }
  const result = COLUMNS.filter((c) => chosen.has(c)).map((column) => ({ column, width: column.width }));
  const overflow = used - available;
  if (overflow > 0) {
    const event = result.find((r) => r.column.id === 'event')!;
    event.width = Math.max(8, event.width - overflow);
  }
  return result;
}

function Header({ header, state, paint, width }: { header: HeaderInfo; state: ViewState; paint: Paint; width: number }) {
  const t = state.tunnel;
  let tunnel: Cell;
  switch (t.state) {
    case 'up':
      tunnel = { text: `● public ${t.url}`, colour: 'green' };
      break;
    case 'off':
      tunnel = { text: '○ local only (--no-tunnel)', colour: 'gray' };
      break;
    case 'connecting':
      tunnel = { text: `◌ tunnel connecting to ${t.host}…`, colour: 'yellow' };
      break;
    case 'down':
      tunnel = { text: `✘ tunnel reconnecting since ${clockTime(t.since)}: ${t.cause}`, colour: 'red' };
      break;
    case 'unavailable':
      tunnel = { text: `✘ local only: tunnel unavailable since ${clockTime(t.since)} (${t.cause}), retrying`, colour: 'yellow' };
      break;
  }
  const c = state.counts;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>idpass listen</Text>  <Text color={paint(tunnel.colour ?? '')}>{tunnel.text}</Text>
      </Text>
      <Text wrap="truncate">
        local {header.local}  {header.forward ? `→ app ${header.forward}` : <Text color={paint('gray')}>no --forward-to</Text>}
      </Text>
      <Text wrap="truncate" color={paint('gray')}>
        verify with {header.key} · {header.scheme}{header.store ? ` · store ${header.store}` : ' · not recording'}
      </Text>
      <Text wrap="truncate">
        deliveries {c.deliveries} · <Text color={paint(c.invalidSignatures ? 'red' : '')}>invalid signatures {c.invalidSignatures}</Text> ·{' '}
        <Text color={paint(c.forwardFailures ? 'yellow' : '')}>app failures {c.forwardFailures}</Text>
        {state.dropped ? <Text color={paint('gray')}> · {state.dropped} older rows only in the store</Text> : null}
      </Text>
      <Text color={paint('gray')}>{'─'.repeat(Math.max(0, Math.min(width, 200)))}</Text>
    </Box>
  );
}

function Waiting({ header, state, paint }: { header: HeaderInfo; state: ViewState; paint: Paint }) {
  return (
    <Box flexDirection="column">
      <Text>Waiting for deliveries…</Text>
      <Text>
        Send one: <Text color={paint('cyan')}>npx idpass trigger verification.completed --to {header.local}/webhook</Text>
      </Text>
      {state.tunnel.state === 'up' ? (
        <Text>
          Webhook URL for the Identitypass dashboard (Settings → Merchant Profile → Webhook URL):{' '}
          <Text color={paint('cyan')}>{state.tunnel.url}/webhook</Text>
        </Text>
      ) : null}
      {state.tunnel.state === 'up' ? <Text color={paint('gray')}>It is public: trust a delivery only when its signature is valid.</Text> : null}
    </Box>
  );
}

function DeliveryList({ state, paint, columns, height }: { state: ViewState; paint: Paint; columns: number; height: number }) {
  const layout = layoutColumns(columns);
  const rows = state.rows;
  const cursor = state.selected < 0 ? rows.length - 1 : state.selected;
  const visible = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(rows.length - visible, cursor - visible + 1));
  const shown = rows.slice(start, start + visible);
  return (
    <Box flexDirection="column">
      <Text color={paint('gray')} wrap="truncate">
        {'  '}
        {layout.map(({ column, width }) => fit(column.title, width)).join(' ')}
      </Text>
      {shown.map((d, i) => {
        const selected = start + i === cursor && state.selected >= 0;
        return (
          <Text key={d.id} wrap="truncate" inverse={selected}>
            {selected ? '› ' : '  '}
            {layout.map(({ column, width }, j) => {
              const cell = column.cell(d);
              return (
                <Text key={column.id}>
                  {j ? ' ' : ''}
                  <Text color={paint(cell.colour ?? '')}>{fit(cell.text, width)}</Text>
                </Text>
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}

function Detail({ delivery, paint, showPii, height, scroll }: { delivery: Delivery; paint: Paint; showPii: boolean; height: number; scroll: number }) {
  const lines = detailLines(delivery, showPii);
  const top = Math.min(scroll, Math.max(0, lines.length - height));
  const shown = lines.slice(top, top + height);
  return (
    <Box flexDirection="column">
      {shown.map((l, i) => (
        <Text key={top + i} wrap="truncate" color={paint(TONE_COLOURS[l.tone] ?? '')} bold={l.tone === 'title'}>
          {l.text}
        </Text>
      ))}
      {lines.length > top + height ? <Text color={paint('gray')}>… {lines.length - top - height} more lines (j/↓ to scroll)</Text> : null}
    </Box>
  );
}

const HELP: [string, string][] = [
  ['↑ ↓  k j', 'select a delivery (in details: scroll)'],
  ['g  G', 'first delivery / follow the newest'],
  ['enter', 'open or close the details: headers, signature, body, app reply'],
  ['esc', 'close details or help'],
  ['r', 'replay the selected delivery to the app (same bytes and headers)'],
  ['c', 'clear the view (the store keeps everything)'],
  ['?', 'this help'],
  ['q  ctrl-c', 'quit: close the tunnel, flush the store'],
];

function Help({ paint }: { paint: Paint }) {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {HELP.map(([keys, what]) => (
        <Text key={keys}>
          <Text color={paint('cyan')}>{keys.padEnd(12)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}

/** The one root: owns the state, the keyboard and the only exit. */
export function LiveView(props: LiveViewProps) {
  const { header, color, showPii, batchMs = 50 } = props;
  const paint: Paint = (colour) => (color && colour ? colour : undefined);
  const [state, dispatch] = useReducer(reduce, props.initialTunnel, initialViewState);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize();
  const buffer = useRef<ListenFact[]>([]);

  useEffect(() => {
    const unsubscribe = props.subscribe((fact) => buffer.current.push(fact));
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

  const quit = () => {
    props.onQuit();
    exit();
  };

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) return quit();
      if (key.upArrow || input === 'k') return dispatch({ type: 'key', key: 'up' });
      if (key.downArrow || input === 'j') return dispatch({ type: 'key', key: 'down' });
      if (key.return) return dispatch({ type: 'key', key: 'enter' });
      if (key.escape) return dispatch({ type: 'key', key: 'escape' });
      if (input === 'g') return dispatch({ type: 'key', key: 'top' });
      if (input === 'G') return dispatch({ type: 'key', key: 'bottom' });
      if (input === 'c') return dispatch({ type: 'key', key: 'clear' });
      if (input === '?') return dispatch({ type: 'key', key: 'help' });
      if (input === 'r') {
        const row = selectedRow(state);
        if (!row) return;
        dispatch({ type: 'message', text: `replaying ${row.id}…`, tone: 'info' });
        props.replay(row).then(
          (delivery) => dispatch({ type: 'replayed', delivery }),
          (error: Error) => dispatch({ type: 'message', text: error.message, tone: 'error' }),
        );
      }
    },
    { isActive: isRawModeSupported === true },
  );

  const headerHeight = 5;
  const footerHeight = 2;
  const body = Math.max(3, size.rows - headerHeight - footerHeight - 1);
  const current = selectedRow(state);
  const message = state.message;
  return (
    <Box flexDirection="column" width={size.columns}>
      <Header header={header} state={state} paint={paint} width={size.columns} />
      {state.help ? (
        <Help paint={paint} />
      ) : state.detail && current ? (
        <Detail delivery={current} paint={paint} showPii={showPii} height={body} scroll={state.detailScroll} />
      ) : state.rows.length === 0 ? (
        <Waiting header={header} state={state} paint={paint} />
      ) : (
        <DeliveryList state={state} paint={paint} columns={size.columns} height={body} />
      )}
      <Text wrap="truncate" color={paint(message?.tone === 'error' ? 'red' : message?.tone === 'warn' ? 'yellow' : 'gray')}>
        {message?.text ?? ' '}
      </Text>
      <Text wrap="truncate" color={paint('gray')}>
        ↑↓ select · enter details · r replay · c clear · ? help · q quit
      </Text>
    </Box>
  );
}

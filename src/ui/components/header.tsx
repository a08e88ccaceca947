import { Box, Text } from 'ink';
import { clockTime } from '../../output/render/format.js';
import { visible } from '../../output/sanitize.js';
import type { ViewState } from '../view-model.js';
import type { Cell } from './columns.js';
import type { HeaderInfo, Paint } from './types.js';

/** The five lines on top: tunnel state, where deliveries go, how they are verified, the counts. */
/** The tunnel's failure cause, if any: shown whole on lines of its own rather than cut off. */
export function tunnelCause(state: ViewState): string | null {
  const t = state.tunnel;
  return t.state === 'down' || t.state === 'unavailable' ? t.cause : null;
}

/** How many lines the header takes at this width (the cause wraps). */
export function headerLines(state: ViewState, width: number, header?: HeaderInfo): number {
  const cause = tunnelCause(state);
  return (
    5 +
    (header?.inspector ? 1 : 0) +
    (cause ? Math.ceil((cause.length + 4) / Math.max(10, width)) : 0) +
    (state.relay && state.tunnel.state !== 'off' ? 1 : 0)
  );
}

export function Header({ header, state, paint, width }: { header: HeaderInfo; state: ViewState; paint: Paint; width: number }) {
  const t = state.tunnel;
  let tunnel: Cell;
  switch (t.state) {
    case 'up':
      tunnel = { text: `● public ${t.url}`, colour: 'green' };
      break;
    case 'off':
      tunnel = state.relay
        ? { text: `⇄ ${state.relay.text}`, colour: state.relay.bad ? 'yellow' : 'green' }
        : { text: '○ local only (--no-tunnel)', colour: 'gray' };
      break;
    case 'connecting':
      tunnel = { text: `◌ tunnel connecting to ${t.host}…`, colour: 'yellow' };
      break;
    case 'down':
      tunnel = { text: `✘ tunnel reconnecting since ${clockTime(t.since)}; the local listener keeps serving`, colour: 'red' };
      break;
    case 'unavailable':
      tunnel = { text: `✘ local only: tunnel unavailable since ${clockTime(t.since)}, retrying`, colour: 'yellow' };
      break;
  }
  const c = state.counts;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>idpass listen</Text> <Text color={paint(tunnel.colour ?? '')}>{visible(tunnel.text)}</Text>
      </Text>
      {tunnelCause(state) ? (
        <Text wrap="wrap" color={paint(tunnel.colour ?? '')}>
          {'  '}
          {visible(tunnelCause(state))}
        </Text>
      ) : null}
      {state.relay && t.state !== 'off' ? (
        <Text wrap="truncate" color={paint(state.relay.bad ? 'yellow' : 'green')}>
          ⇄ {visible(state.relay.text)}
        </Text>
      ) : null}
      <Text wrap="truncate">
        local {header.local} {header.forward ? `→ app ${header.forward}` : <Text color={paint('gray')}>no --forward-to</Text>}
      </Text>
      {header.inspector ? (
        <Text wrap="truncate">
          inspector {visible(header.inspector)} <Text color={paint('gray')}>· o opens it in a browser</Text>
        </Text>
      ) : null}
      <Text wrap="truncate" color={paint('gray')}>
        verify with {header.key} · {header.scheme}
        {header.store ? ` · store ${header.store}` : ' · not recording'}
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

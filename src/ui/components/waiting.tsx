import { Box, Text } from 'ink';
import { visible } from '../../output/sanitize.js';
import type { ViewState } from '../view-model.js';
import type { HeaderInfo, Paint } from './types.js';

/** What the view shows before the first delivery: how to send one, and the public URL. */
export function Waiting({ header, state, paint }: { header: HeaderInfo; state: ViewState; paint: Paint }) {
  return (
    <Box flexDirection="column">
      <Text>Waiting for deliveries…</Text>
      <Text>
        Send one:{' '}
        <Text color={paint('cyan')}>{header.sendHint ?? `npx idpass trigger verification.completed --to ${header.local}/webhook`}</Text>
      </Text>
      {state.tunnel.state === 'up' ? (
        <Text>
          Webhook URL for the Identitypass dashboard (Settings → Merchant Profile → Webhook URL):{' '}
          <Text color={paint('cyan')}>{visible(state.tunnel.url)}/webhook</Text>
        </Text>
      ) : null}
      {state.tunnel.state === 'up' ? (
        <Text color={paint('gray')}>It is public: trust a delivery only when its signature is valid.</Text>
      ) : null}
    </Box>
  );
}

import { Box, Text } from 'ink';
import type { Paint } from './types.js';

const HELP: [string, string][] = [
  ['↑ ↓  k j', 'select a delivery (in details: scroll)'],
  ['g  G', 'first delivery / follow the newest'],
  ['enter', 'open or close the details: headers, signature, body, app reply'],
  ['esc', 'close details or help'],
  ['r', 'replay the selected delivery to the app (same bytes and headers)'],
  ['c', 'clear the view (the store keeps everything)'],
  ['o', 'open the web inspector in a browser (its URL is in the header)'],
  ['?', 'this help'],
  ['q  ctrl-c', 'quit: close the tunnel, flush the store'],
];

/** The keys, for `?`. */
export function Help({ paint }: { paint: Paint }) {
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

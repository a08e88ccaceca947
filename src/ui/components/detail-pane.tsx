import { Box, Text } from 'ink';
import type { Delivery } from '../../core/delivery/types.js';
import { TONE_COLOURS } from '../../output/palette.js';
import { detailLines } from '../../output/render/detail.js';
import type { Paint } from './types.js';

/** Everything about the selected delivery, scrollable. */
export function Detail({
  delivery,
  paint,
  showPii,
  height,
  scroll,
}: {
  delivery: Delivery;
  paint: Paint;
  showPii: boolean;
  height: number;
  scroll: number;
}) {
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

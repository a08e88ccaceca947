import { Box, Text } from 'ink';
import type { Delivery } from '../../core/delivery/types.js';
import { TONE_COLOURS } from '../../output/palette.js';
import { detailLines, type DetailLine } from '../../output/render/detail.js';
import type { Paint } from './types.js';

/** A line too long for the terminal is wrapped (at a space where there is one, under its own indent), never cut. */
export function wrapLines(lines: DetailLine[], width: number, maxPerLine = 40): DetailLine[] {
  const out: DetailLine[] = [];
  const room = Math.max(20, width);
  for (const l of lines) {
    if (l.text.length <= room) {
      out.push(l);
      continue;
    }
    const indent = /^ */.exec(l.text)![0].slice(0, Math.floor(room / 2));
    let rest = l.text;
    let first = true;
    let count = 0;
    while (rest.length > 0 && count < maxPerLine) {
      const prefix = first ? '' : `${indent}  `;
      const fitIn = room - prefix.length;
      let piece = rest.slice(0, fitIn);
      if (rest.length > fitIn) {
        const space = piece.lastIndexOf(' ');
        if (space > fitIn / 2) piece = piece.slice(0, space + 1);
      }
      out.push({ text: prefix + piece.trimEnd(), tone: l.tone });
      rest = rest.slice(piece.length).trimStart();
      first = false;
      count++;
    }
    if (rest.length > 0)
      out.push({ text: `${indent}  … ${rest.length.toLocaleString('en')} more characters (events show prints them all)`, tone: 'dim' });
  }
  return out;
}

/** Everything about the selected delivery, scrollable. */
export function Detail({
  delivery,
  paint,
  showPii,
  height,
  width = 120,
  scroll,
}: {
  delivery: Delivery;
  paint: Paint;
  showPii: boolean;
  height: number;
  width?: number;
  scroll: number;
}) {
  const lines = wrapLines(detailLines(delivery, showPii), width);
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

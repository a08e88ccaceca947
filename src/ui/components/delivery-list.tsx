import { Box, Text } from 'ink';
import type { ViewState } from '../view-model.js';
import { visible } from '../../output/sanitize.js';
import { fit, fitMiddle, layoutColumns } from './columns.js';
import type { Paint } from './types.js';

/** One row per delivery, scrolled to keep the cursor in view. */
export function DeliveryList({ state, paint, columns, height }: { state: ViewState; paint: Paint; columns: number; height: number }) {
  const rows = state.rows;
  const cursor = state.selected < 0 ? rows.length - 1 : state.selected;
  const rowsShown = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(rows.length - rowsShown, cursor - rowsShown + 1));
  const shown = rows.slice(start, start + rowsShown);
  // the event column as wide as the longest name on screen: spare width goes to the other columns
  const longest = shown.reduce((n, d) => Math.max(n, (d.classification.event ?? 'unrecognised').length), 14);
  const layout = layoutColumns(columns, longest);
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
                  <Text color={paint(cell.colour ?? '')}>{(column.middle ? fitMiddle : fit)(visible(cell.text), width)}</Text>
                </Text>
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}

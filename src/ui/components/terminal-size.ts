import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

/** Keeps the size in step with the terminal, so a resize redraws at once. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 100, rows: stdout.rows || 30 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    let width = stdout.columns || 100;
    const onResize = () => {
      // a narrower terminal re-wraps the lines already drawn, and ink then erases too few of them:
      // clear the screen so no stale copy of the header stays above the view
      if ((stdout.columns || 100) < width) stdout.write('\u001b[2J\u001b[3J\u001b[H');
      width = stdout.columns || 100;
      setSize(read());
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

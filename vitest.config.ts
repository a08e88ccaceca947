import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most e2e time is spent waiting on child processes and sockets, so use every core for test
    // files (vitest's default leaves one idle, which on a 2-core machine runs the files one by one).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});

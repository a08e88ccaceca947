import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most e2e time is spent waiting on child processes and sockets, so use every core for test
    // files (vitest's default leaves one idle, which on a 2-core machine runs the files one by one).
    maxWorkers: Math.max(2, availableParallelism()),
    // e2e tests spawn the built CLI several times; on a loaded 2-core machine five seconds (vitest's
    // default) is too tight for some of them. A test that truly hangs still fails, after 30 s.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most e2e time is spent waiting on child processes and sockets, so run one test file more than
    // there are cores (vitest's default leaves one idle, which on a 2-core machine runs the files one
    // by one): on this 2-core machine 3 files at once took the suite from 63 s to 48-50 s.
    maxWorkers: Math.max(3, availableParallelism() + 1),
    // e2e tests spawn the built CLI several times; on a loaded 2-core machine five seconds (vitest's
    // default) is too tight for some of them. A test that truly hangs still fails, after 30 s.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

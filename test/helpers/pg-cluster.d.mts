export interface TestCluster {
  /** A URL for a fresh database of its own (each call makes another). */
  database(): Promise<string>;
  /** Stops the server at once (as a crash would), keeping its data. */
  kill(): void;
  /** Starts it again on the same port and data. */
  start(): void;
  stop(): void;
}
export function postgresBinDir(): string | null;
export function startCluster(): Promise<TestCluster>;

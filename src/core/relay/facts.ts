/** What the relay server emits; `relay serve` prints them (plain lines, or NDJSON with --json). */

export type RelayFact =
  | { type: 'ready'; url: string; port: number; host: string; publicUrl: string }
  | { type: 'stored'; channel: string; seq: number; size: number }
  | { type: 'store-failed'; channel: string; cause: string }
  | { type: 'too-large'; channel: string; size: number }
  | { type: 'client-connected'; channel: string; after: number; client?: string }
  | { type: 'client-left'; channel: string }
  | { type: 'channel-created'; channel: string; name: string | null }
  | { type: 'channel-deleted'; channel: string }
  | { type: 'pruned'; channel: string; dropped: number }
  | { type: 'closed' };

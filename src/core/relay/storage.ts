/**
 * What the relay keeps, behind one small interface: the SQLite engine (embedded, the default)
 * implements it, and a PostgreSQL engine can, with no change to the server. Every call is async,
 * whatever the engine, so a networked database fits the same shape.
 */

/** One delivery as the relay received it: everything needed to hand it on byte for byte. */
export interface RelayIncoming {
  receivedAt: string;
  method: string;
  /** The path after /in/<channel>, starting with "/" ("/" when there was none). */
  path: string;
  /** The query string without "?", "" when none. */
  query: string;
  /** Header pairs in wire order, original casing, repeats kept. */
  headers: [string, string][];
  body: Buffer;
}

export interface RelayDelivery extends RelayIncoming {
  seq: number;
}

export interface ChannelRecord {
  id: string;
  name: string | null;
  /** SHA-256 of the channel token, hex: the token itself is never kept. */
  tokenHash: string;
  createdAt: string;
  /** The newest sequence given out, when read back (0 before the first delivery). */
  lastSeq?: number;
}

export interface ChannelStats {
  id: string;
  name: string | null;
  createdAt: string;
  /** Deliveries held now. */
  held: number;
  /** Bytes of bodies held now. */
  bytes: number;
  /** The newest sequence given out (0 before the first delivery). */
  lastSeq: number;
  /** The newest sequence a client said it recorded. */
  ackedSeq: number;
  /** The oldest sequence still held; null when none is. */
  oldestSeq: number | null;
  /** Each named client's own cursor (`listen --relay-client <name>`), by name. */
  clients: ClientCursor[];
}

export interface ClientCursor {
  client: string;
  /** The newest sequence this client said it recorded. */
  ackedSeq: number;
  ackedAt: string;
}

export interface Retention {
  /** Deliveries received before this are dropped. */
  olderThan: Date;
  /** Past this many body bytes in one channel, the oldest are dropped. */
  maxBytes: number;
}

export interface RelayStorage {
  /** Creates or migrates the schema. Safe to call on a database another relay already set up. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** True when the database answers. */
  healthy(): Promise<boolean>;

  getSetting(key: string): Promise<string | null>;
  /** Sets a value only if none is set yet; returns the value that holds afterwards. */
  initSetting(key: string, value: string): Promise<string>;

  createChannel(channel: ChannelRecord): Promise<void>;
  channel(id: string): Promise<ChannelRecord | null>;
  deleteChannel(id: string): Promise<boolean>;
  channels(): Promise<ChannelStats[]>;

  /** Commits the delivery; its sequence and the channel's bytes held after it. Throws when it could not be committed. */
  store(channelId: string, delivery: RelayIncoming): Promise<{ seq: number; bytes: number }>;
  /** Deliveries after `seq`, oldest first: at most `maxRows`, and past the first one no more than `maxBytes` of bodies. */
  after(channelId: string, seq: number, limits: { maxRows: number; maxBytes: number }): Promise<RelayDelivery[]>;
  /** Records what a client has recorded (never moves back), for the channel and, when named, for that client. */
  ack(channelId: string, seq: number, client?: string): Promise<void>;
  /** The newest sequence the named client acked (0 when it never did). */
  clientCursor(channelId: string, client: string): Promise<number>;
  /** Drops deliveries past the retention; returns how many were dropped. */
  prune(channelId: string, retention: Retention): Promise<number>;

  /** Called with a channel id once a delivery for it is committed (by this process, or another one on the same database when the engine can tell). */
  onStored(listener: (channelId: string, seq: number) => void): () => void;
}

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DEFAULT_HOST, DEFAULT_PORT } from '../common/defaults.js';
import { answer, createListenerApp, headerPairs, requestPath } from './app.js';
import { bindApp } from './bind.js';
import type { DeliveryIntake, DeliverySource } from './source.js';

/** How long a stop waits for request bodies that are still arriving. */
const READ_GRACE_MS = 5_000;

export interface HttpSourceOptions {
  maxBodyBytes: number;
  probeSecret?: string;
  /** How many deliveries arrived, for the GET answer. */
  count(): number;
  warn(message: string): void;
}

/** Where the HTTP source is bound. */
export interface HttpReady {
  url: string;
  host: string;
  port: number;
}

/**
 * The listener's HTTP side as a source: binds the server, reads each body once and hands it to the
 * intake, and writes the intake's answer back. Stopping closes the door (new connections refused,
 * kept-alive ones told to close) while the deliveries already taken finish.
 */
export class HttpSource implements DeliverySource {
  readonly name = 'http';
  /** The express app serving every request (mountable elsewhere); deliveries skip its routing on the source's own server. */
  readonly app;
  private readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  private intake: DeliveryIntake | null = null;
  private server: Server | null = null;
  private closed: Promise<void> | null = null;
  private stopping = false;
  ready: HttpReady | null = null;

  /** Where start() binds; set before starting. */
  at = { port: DEFAULT_PORT, host: DEFAULT_HOST };

  constructor(options: HttpSourceOptions) {
    const http = createListenerApp({
      maxBodyBytes: options.maxBodyBytes,
      probeSecret: options.probeSecret,
      count: options.count,
      receive: (req, res, body, size) => this.receive(req, res, body, size),
      abandoned: (req) =>
        options.warn(`a ${req.method} ${requestPath(req)} was abandoned by the client before its body arrived; nothing was recorded`),
      internalError: (req, cause) => options.warn(`internal error on ${req.method} ${requestPath(req)}: ${cause}`),
    });
    this.app = http.app;
    // every request is counted from its first byte until the intake has it (or it ends), so a stop
    // waits for bodies still arriving instead of cutting them
    this.handle = (req, res) => {
      this.reading.add(res);
      res.once('close', () => this.handedOver(res));
      http.handle(req, res);
    };
  }

  private readonly reading = new Set<ServerResponse>();
  private allRead: (() => void) | null = null;

  private handedOver(res: ServerResponse): void {
    if (!this.reading.delete(res)) return;
    if (this.reading.size === 0) this.allRead?.();
  }

  /** Also the way `listener.app` mounted in another server hands deliveries in. */
  attach(intake: DeliveryIntake): void {
    this.intake = intake;
  }

  async start(intake: DeliveryIntake): Promise<void> {
    this.attach(intake);
    const { server, ...ready } = await bindApp(this.handle, this.at.port, this.at.host);
    this.server = server;
    this.ready = ready;
    this.closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  }

  private async receive(req: IncomingMessage, res: ServerResponse, body: Buffer | null, size: number): Promise<void> {
    this.handedOver(res);
    const incoming = { method: req.method ?? 'POST', path: requestPath(req), headers: headerPairs(req), body, size };
    await this.intake!.receive(incoming, (reply) => {
      // once stopping, a kept-alive connection gets its answer and is closed: nothing new comes in on it
      const headers = this.stopping ? { ...reply.headers, connection: 'close' } : reply.headers;
      answer(res, reply.status, reply.body, headers);
    });
  }

  /** Refuses new connections, closes idle ones, and waits (at most READ_GRACE_MS) for bodies still arriving to reach the intake. */
  async stop(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    if (!server) return;
    server.close();
    server.closeIdleConnections();
    if (this.reading.size === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => (this.allRead = resolve)),
      new Promise((resolve) => setTimeout(resolve, READ_GRACE_MS).unref()),
    ]);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopping = true;
    server.close();
    server.closeAllConnections();
    await this.closed;
  }
}

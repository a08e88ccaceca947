import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DEFAULT_HOST, DEFAULT_PORT } from '../common/defaults.js';
import { answer, createListenerApp, headerPairs, requestPath } from './app.js';
import { bindApp } from './bind.js';
import type { DeliveryIntake, DeliverySource } from './source.js';

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
    this.handle = http.handle;
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
    const incoming = { method: req.method ?? 'POST', path: requestPath(req), headers: headerPairs(req), body, size };
    await this.intake!.receive(incoming, (reply) => {
      // once stopping, a kept-alive connection gets its answer and is closed: nothing new comes in on it
      const headers = this.stopping ? { ...reply.headers, connection: 'close' } : reply.headers;
      answer(res, reply.status, reply.body, headers);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    if (!server) return;
    server.close();
    server.closeIdleConnections();
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

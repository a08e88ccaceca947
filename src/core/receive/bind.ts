import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreError } from '../common/errors.js';

export type ListenErrorCode = 'port-in-use' | 'bad-host' | 'port-denied' | 'no-forward-target' | 'no-body' | 'protected-header';

export class ListenError extends CoreError<ListenErrorCode, { port?: number; host?: string }> {}

export interface Bound {
  server: Server;
  url: string;
  host: string;
  port: number;
}

/** Binds a request handler (an express app is one), with bind failures as ListenError, and limits that keep a slow client from holding it. */
export async function bindApp(handle: (req: IncomingMessage, res: ServerResponse) => void, port: number, host: string): Promise<Bound> {
  const server = createServer(handle).listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      const facts = { port, host };
      if (error.code === 'EADDRINUSE') reject(new ListenError('port-in-use', `port ${port} on ${host} is in use`, facts));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new ListenError('bad-host', `cannot listen on ${host}: no such local address`, facts));
      else if (error.code === 'EACCES') reject(new ListenError('port-denied', `not allowed to listen on port ${port}`, facts));
      else reject(error);
    });
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  // no count limit (Node's 16 KB header size limit still bounds them): a cut list would lose Content-Length
  server.maxHeadersCount = 0;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}`, host: address.address, port: address.port };
}

/** Where idpass listens and sends by default: shared by listen, trigger and tunnel, light enough to load at startup. */

export const DEFAULT_PORT = 4567;
export const DEFAULT_HOST = '127.0.0.1';
/** A running `idpass listen` on its default port. */
export const DEFAULT_TRIGGER_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}/webhook`;
/** The public localtunnel service; teams can run their own server. */
export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

/** Every default shared by a command and the library, in one place light enough to load at startup. */

export const DEFAULT_PORT = 4567;
/** The web inspector's port (listen --inspect-port, idpass inspect --port); a free one when taken. */
export const DEFAULT_INSPECT_PORT = 4570;
export const DEFAULT_HOST = '127.0.0.1';
/** A running `idpass listen` on its default port. */
export const DEFAULT_TRIGGER_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}/webhook`;
/** The public localtunnel service; teams can run their own server. */
export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';
/** Larger deliveries get 413 (identity results carry base64 photos, so this is generous). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Past this the store drops its oldest deliveries. */
export const DEFAULT_STORE_MAX_BYTES = 200 * 1024 * 1024;
/** How long listen waits for the app, as Prembly waits for a receiver. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/** `idpass sandbox`'s port: one above listen's. */
export const DEFAULT_SANDBOX_PORT = 4568;
/** After a 02/03 answer, the sandbox sends the result this long later. */
export const SANDBOX_PENDING_DELAY_MS = 10_000;
/** How long the sandbox's slow magic number takes to answer. */
export const SANDBOX_SLOW_DELAY_MS = 5_000;

/** `idpass relay serve` listens here unless told otherwise (IDPASS_RELAY_PORT, PORT, --port). */
export const DEFAULT_RELAY_PORT = 8080;

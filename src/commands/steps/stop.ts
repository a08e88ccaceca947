/** Calls `stop` once the command is interrupted (SIGINT, SIGTERM): at once when it already was. Returns the unsubscribe. */
export function onInterrupt(signal: AbortSignal, stop: () => void): () => void {
  if (signal.aborted) {
    stop();
    return () => undefined;
  }
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

/** Resolves once the command is interrupted. */
export function interrupted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => onInterrupt(signal, resolve));
}

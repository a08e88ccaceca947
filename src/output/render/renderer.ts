/**
 * A consumer of a session's fact stream, as hookdeck-cli's Renderer: plain lines, NDJSON and the
 * live view implement it for listen (the web inspector will too). A renderer only draws what the
 * facts say; close() is called once the session has ended, after its last fact, and waits for
 * what the renderer still has to write.
 */
export interface Renderer<Fact> {
  fact(fact: Fact): void;
  close(): Promise<void>;
}

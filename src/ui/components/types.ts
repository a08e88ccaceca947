/** What the header shows about the listener's setup; given once by the command. */
export interface HeaderInfo {
  local: string;
  /** The trigger command that reaches this listener (with a key flag when one is needed). */
  sendHint?: string;
  forward: string | null;
  key: string;
  scheme: string;
  store: string | null;
  /** The web inspector's URL (with its token), when it is on. */
  inspector?: string | null;
}

/** A colour name when colour is on, else undefined (the terminal's own colour). */
export type Paint = (colour: string) => string | undefined;

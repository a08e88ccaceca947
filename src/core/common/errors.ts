/**
 * The one error shape core throws for things a caller can fix: a stable `code` to branch on and the
 * facts behind it. The message is plain English that names no CLI flag; the command layer decides
 * the words a CLI user reads and the flag to suggest.
 */
export class CoreError<Code extends string = string, Facts extends object = Record<string, unknown>> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly facts: Facts = {} as Facts,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

import { createRequire } from 'node:module';
import type * as Commander from 'commander';

// commander is CommonJS under an ESM wrapper; requiring it directly skips the wrapper's export
// scan, which is a measurable part of `idpass --help`.
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const Command = commander.Command;
export type Command = Commander.Command;
export const Option = commander.Option;
export type Option = Commander.Option;
export const CommanderError = commander.CommanderError;
export type CommanderError = Commander.CommanderError;
export const InvalidArgumentError = commander.InvalidArgumentError;

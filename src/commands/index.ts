/**
 * Commands, one folder each (as gh's pkg/cmd/<cmd>): the commander builder, an options type and a
 * run(options, io) that parses nothing itself, calls core, picks a renderer and returns an exit
 * code. shared/ holds the commander wrapper, the shared options and send-and-report.
 *
 * May import: core, flags, output, and ui only through ui/live-view.tsx. src/cli.ts loads only the
 * command being run.
 */
export {};

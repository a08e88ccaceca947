/**
 * Output: the IO object every command writes through (and its test fake), errors and the one
 * mapping to exit codes, the palette that maps meaning to colour, and render/.
 *
 * Promises: decides words, colours and exit codes; never sends, listens or reads the store.
 * May import: core (types and pure helpers). Never commands, ui or flags.
 */
export * from './io.js';
export * from './errors.js';
export * from './palette.js';

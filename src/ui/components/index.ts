/**
 * The live view's pieces: header, delivery list and its columns, detail pane, help, waiting
 * screen. They draw what their props hold and talk to nothing.
 *
 * May import: core types, output/palette, output/render (text only), ../view-model. Only
 * ui/live-view.tsx imports them.
 */
export * from './types.js';
export * from './columns.js';
export * from './header.js';
export * from './waiting.js';
export * from './delivery-list.js';
export * from './detail-pane.js';
export * from './help.js';
export * from './terminal-size.js';

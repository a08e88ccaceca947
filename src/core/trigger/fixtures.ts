import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { findEvent, type Product } from '../delivery/catalog.js';
import { setPath } from './body-edits.js';

/** Shipped sample bodies live beside the package, both in a checkout and when installed. */
export const FIXTURES_DIR = new URL('../../../fixtures/', import.meta.url);

type Body = Record<string, unknown>;

const texts = new Map<string, string>();

/** A shipped file, read once per process (a load run plans thousands of bodies); each caller gets its own parsed copy. */
function readJson(relative: string): Body {
  let text = texts.get(relative);
  if (text === undefined) {
    text = readFileSync(new URL(relative, FIXTURES_DIR), 'utf8');
    texts.set(relative, text);
  }
  return JSON.parse(text) as Body;
}

/** A fixture without its `_meta` (the doc it follows, the fields inferred): it describes the sample and is never sent. */
function withoutMeta(body: Body): Body {
  const { _meta, ...rest } = body;
  return rest;
}

/** A product's documented `00` response: the direct-API webhook body for a match. */
export function loadProduct(product: Product): Body {
  return withoutMeta(readJson(`products/${product}.json`));
}

/** The fixture file for an event exactly as shipped, less its `_meta`. */
export function readEventFixture(event: string): Body {
  if (!findEvent(event)) throw new Error(`unknown event ${JSON.stringify(event)}`);
  return withoutMeta(readJson(`events/${event}.json`));
}

/** The events that have an older body shape idpass can send (`shape: 'legacy'`). */
export const LEGACY_SHAPES: readonly string[] = ['sdk.session.completed'];

export interface LoadFixtureOptions {
  /** Record shape for direct-API verification events; `bvn` is what the fixture files carry. */
  product?: Product;
  /** The reference to put in the body; a fresh UUID when omitted. */
  reference?: string;
  /** `legacy` sends the older shape of an event that has one (see LEGACY_SHAPES). */
  shape?: 'current' | 'legacy';
}

/**
 * A ready-to-send body for an event: the fixture with a fresh reference and, for direct-API
 * verification events, the chosen product's documented shape.
 */
export function loadFixture(event: string, options: LoadFixtureOptions = {}): Body {
  const info = findEvent(event);
  if (!info) throw new Error(`unknown event ${JSON.stringify(event)}`);
  let body: Body;
  if (options.shape === 'legacy') {
    if (!LEGACY_SHAPES.includes(event)) throw new Error(`${event} has no legacy shape`);
    body = withoutMeta(readJson(`legacy/${event}.json`));
  } else if (options.product && event === 'verification.completed') {
    // a match's webhook is the product's own API response
    body = loadProduct(options.product);
  } else {
    body = readEventFixture(event);
    if (options.product && info.usesProduct) {
      const record = loadProduct(options.product);
      body.endpoint_name = record.endpoint_name;
      body.request_data = record.request_data;
    }
  }
  setPath(body, info.referencePath, options.reference ?? randomUUID());
  return body;
}

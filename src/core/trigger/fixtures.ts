import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { findEvent, type Product } from '../delivery/catalog.js';
import { setPath } from './body-edits.js';

/** Shipped sample bodies live beside the package, both in a checkout and when installed. */
export const FIXTURES_DIR = new URL('../../../fixtures/', import.meta.url);

function readJson(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES_DIR), 'utf8')) as Record<string, unknown>;
}

export interface ProductRecord {
  endpoint_name: string;
  request_data: Record<string, unknown>;
  data: Record<string, unknown>;
}

export function loadProduct(product: Product): ProductRecord {
  return readJson(`products/${product}.json`) as unknown as ProductRecord;
}

/** The fixture file for an event exactly as shipped. */
export function readEventFixture(event: string): Record<string, unknown> {
  if (!findEvent(event)) throw new Error(`unknown event ${JSON.stringify(event)}`);
  return readJson(`events/${event}.json`);
}

export interface LoadFixtureOptions {
  /** Record shape for verification events; `bvn` is what the fixture files carry. */
  product?: Product;
  /** The reference to put in the body; a fresh UUID when omitted. */
  reference?: string;
}

/**
 * A ready-to-send body for an event: the fixture with a fresh reference and, for direct-API
 * verification events, the chosen product's record shape.
 */
export function loadFixture(event: string, options: LoadFixtureOptions = {}): Record<string, unknown> {
  const info = findEvent(event);
  if (!info) throw new Error(`unknown event ${JSON.stringify(event)}`);
  const body = readEventFixture(event);
  if (options.product && info.usesProduct) {
    const record = loadProduct(options.product);
    body.endpoint_name = record.endpoint_name;
    body.request_data = record.request_data;
    // Only a verified result carries the record; failed and pending ones come back empty.
    if (event === 'verification.completed') body.data = record.data;
  }
  setPath(body, info.referencePath, options.reference ?? randomUUID());
  return body;
}

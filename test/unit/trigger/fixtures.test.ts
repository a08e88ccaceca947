import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/core/delivery/classify.js';
import { EVENT_NAMES, EVENTS, PRODUCTS } from '../../../src/core/delivery/catalog.js';
import { FIXTURES_DIR, loadFixture, readEventFixture } from '../../../src/core/trigger/fixtures.js';
import { getPath } from '../../../src/core/trigger/body-edits.js';

const listJson = (folder: string) =>
  readdirSync(new URL(folder, FIXTURES_DIR))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();

describe('fixtures', () => {
  it('has exactly one file per event name, and no stray files', () => {
    expect(listJson('events/')).toEqual([...EVENT_NAMES].sort());
  });

  it('lists the events SPEC.md names', () => {
    expect(EVENT_NAMES).toEqual([
      'verification.completed',
      'verification.pending',
      'verification.failed',
      'verification.async.completed',
      'sdk.session.completed',
      'workflow.process.completed',
      'workflow.process.failed',
      'workflow.process.manual_review',
      'watchlist.identity_flagged',
    ]);
  });

  it('has exactly one record shape per product', () => {
    expect(listJson('products/')).toEqual([...PRODUCTS].sort());
  });

  it.each(EVENT_NAMES)('%s parses and classifies as its own name', (name) => {
    const raw = readFileSync(new URL(`events/${name}.json`, FIXTURES_DIR), 'utf8');
    const body = JSON.parse(raw);
    expect(classify(body).event).toBe(name);
    expect(classify(loadFixture(name)).event).toBe(name);
  });

  it.each(PRODUCTS)('product %s shapes every verification event and keeps its classification', (product) => {
    const record = JSON.parse(readFileSync(new URL(`products/${product}.json`, FIXTURES_DIR), 'utf8'));
    expect(typeof record.endpoint_name).toBe('string');
    expect(Object.keys(record.data).length).toBeGreaterThan(3);
    for (const event of EVENTS.filter((e) => e.usesProduct)) {
      const body = loadFixture(event.name, { product });
      expect(classify(body).event).toBe(event.name);
      expect(body.endpoint_name).toBe(record.endpoint_name);
      expect(body.request_data).toEqual(record.request_data);
    }
    expect(loadFixture('verification.completed', { product }).data).toEqual(record.data);
  });

  it('gives every body a fresh reference at the event’s reference path', () => {
    for (const event of EVENTS) {
      const a = loadFixture(event.name);
      const b = loadFixture(event.name);
      const refA = getPath(a, event.referencePath);
      expect(refA).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(getPath(b, event.referencePath)).not.toBe(refA);
      expect(classify(a).reference).toBe(refA);
    }
  });

  it('loads a copy: changing one body does not change the next', () => {
    const a = loadFixture('verification.completed');
    (a.data as Record<string, unknown>).firstName = 'CHANGED';
    expect((loadFixture('verification.completed').data as Record<string, unknown>).firstName).toBe('ADA');
  });

  it('the bvn product is what the fixture files carry', () => {
    const shipped = readEventFixture('verification.completed');
    const shaped = loadFixture('verification.completed', { product: 'bvn' });
    expect(shaped.data).toEqual(shipped.data);
    expect(shaped.endpoint_name).toBe(shipped.endpoint_name);
  });

  it('uses obviously fake identities only', () => {
    for (const name of EVENT_NAMES) {
      const text = JSON.stringify(readEventFixture(name));
      expect(text).not.toMatch(/@(?!example\.com)[a-z0-9-]+\.[a-z]{2,}/i);
    }
  });
});

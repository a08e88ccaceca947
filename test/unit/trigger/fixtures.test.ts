import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/core/delivery/classify.js';
import { EVENT_NAMES, EVENTS, PRODUCTS } from '../../../src/core/delivery/catalog.js';
import { FIXTURES_DIR, loadFixture, readEventFixture } from '../../../src/core/trigger/fixtures.js';
import { getPath } from '../../../src/core/trigger/body-edits.js';
import { ALL_KINDS, LIVE_SIGNED_KINDS } from '../../helpers/prembly-doc.js';

const listJson = (folder: string) =>
  readdirSync(new URL(folder, FIXTURES_DIR))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();

describe('fixtures', () => {
  it('has exactly one file per event name, and no stray files', () => {
    expect(listJson('events/')).toEqual([...EVENT_NAMES].sort());
  });

  it('names exactly the kinds of the current event reference, and the two API-only answers', () => {
    expect([...EVENT_NAMES].sort()).toEqual([...ALL_KINDS].sort());
  });

  it('says which key signs each kind, as the table in the verifying guide does', () => {
    const live = EVENTS.filter((e) => e.signedWith === 'live').map((e) => e.name);
    expect(live.sort()).toEqual([...LIVE_SIGNED_KINDS].sort());

    for (const e of EVENTS) {
      expect(e.delivered).toBe(e.family === 'workflow' ? '2xx' : '200');
      expect(e.followsRedirects).toBe(e.family !== 'workflow');
      expect(e.retries.attempts).toBe(e.family === 'workflow' || e.family === 'sdk' ? 5 : 1);
    }
  });

  it('has exactly one record shape per product', () => {
    expect(listJson('products/')).toEqual([...PRODUCTS].sort());
  });

  it.each(EVENT_NAMES)('%s parses, says where its shape comes from, and classifies as its own name', (name) => {
    const raw = JSON.parse(readFileSync(new URL(`events/${name}.json`, FIXTURES_DIR), 'utf8'));
    expect(typeof raw._meta.source).toBe('string');
    expect(Array.isArray(raw._meta.inferred)).toBe(true);
    const { _meta, ...body } = raw;
    expect(classify(body)).toMatchObject({ event: name, legacyShape: null });
    const loaded = loadFixture(name);
    expect(loaded._meta).toBeUndefined();
    expect(classify(loaded).event).toBe(name);
  });

  it.each(PRODUCTS)('product %s is a documented 00 answer: the match webhook, and the shape of failed and pending', (product) => {
    const record = JSON.parse(readFileSync(new URL(`products/${product}.json`, FIXTURES_DIR), 'utf8'));
    expect(typeof record._meta.source).toBe('string');
    expect(typeof record.endpoint_name).toBe('string');
    const match = loadFixture('verification.completed', { product });
    expect(classify(match)).toMatchObject({ event: 'verification.completed', legacyShape: null, responseCode: '00' });
    expect(match.billing_info).toMatchObject({ was_charged: true, currency: 'NGN' });
    expect(match.endpoint_name).toBe(record.endpoint_name);
    for (const event of ['verification.failed', 'verification.pending']) {
      const body = loadFixture(event, { product });
      expect(classify(body).event).toBe(event);
      expect(body.endpoint_name).toBe(record.endpoint_name);
      expect(body.request_data).toEqual(record.request_data);
    }
  });

  it('uses the documented field names per product', () => {
    expect(Object.keys(loadFixture('verification.completed', { product: 'bvn' }).data as object).sort()).toEqual(
      ['dateOfBirth', 'firstName', 'lastName', 'middleName', 'phoneNumber'].sort(),
    );
    expect(loadFixture('verification.completed', { product: 'voters-card' }).data).toHaveProperty('pollingUnit');
    expect(loadFixture('verification.completed', { product: 'face' })).toMatchObject({ message: 'Face Match', confidence: 100 });
    expect(loadFixture('verification.completed', { product: 'drivers-license' })).toHaveProperty('frsc_data.driversLicense');
    expect(loadFixture('verification.completed', { product: 'nin' })).toHaveProperty('data.telephoneno');
  });

  it('has a legacy SDK shape that classifies with the legacy mark', () => {
    const legacy = loadFixture('sdk.session.completed', { shape: 'legacy' });
    expect(legacy).toHaveProperty('face_data');
    expect(legacy).toHaveProperty('widget_info.user_ref');
    expect(classify(legacy)).toMatchObject({ event: 'sdk.session.completed', legacyShape: expect.stringMatching(/widget_info/) });
    const legacyFile = JSON.parse(readFileSync(new URL('legacy/sdk.session.completed.json', FIXTURES_DIR), 'utf8'));
    expect(legacyFile._meta.source).toBeTruthy();
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

  it('the bvn product is what the verification.completed fixture carries', () => {
    const { reference: _a, ...shipped } = readEventFixture('verification.completed').verification as Record<string, unknown>;
    const shaped = loadFixture('verification.completed', { product: 'bvn' });
    expect(shaped.data).toEqual(readEventFixture('verification.completed').data);
    expect(shaped.endpoint_name).toBe(readEventFixture('verification.completed').endpoint_name);
    expect(shipped).toEqual({ status: 'VERIFIED' });
  });

  it('uses obviously fake identities only', () => {
    for (const name of EVENT_NAMES) {
      const text =
        JSON.stringify(readEventFixture(name)) + JSON.stringify(PRODUCTS.map((p) => loadFixture('verification.completed', { product: p })));
      expect(text).not.toMatch(/@(?!example\.com)[a-z0-9-]+\.[a-z]{2,}/i);
    }
  });
});

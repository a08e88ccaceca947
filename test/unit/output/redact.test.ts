import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, PRODUCTS } from '../../../src/core/delivery/catalog.js';
import { displayCopy, isSensitiveKey, redact, redactText } from '../../../src/output/redact.js';
import { loadFixture } from '../../../src/core/trigger/fixtures.js';

const PNG = 'iVBORw0KGgo' + 'A'.repeat(400);

describe('redact', () => {
  it('masks ID numbers, dates of birth, phones, e-mail, addresses and images; keeps names', () => {
    const out = redact({
      data: {
        bvn: '22200000001',
        firstName: 'ADA',
        dateOfBirth: '01-Jan-1990',
        phoneNumber1: '08000000001',
        email: 'ada@example.com',
        residentialAddress: '1 Example Street',
        base64Image: PNG,
        images: [PNG],
        face_1: { image: PNG, bounding_box: { top: 0.2 } },
      },
      request_data: { number: '22200000001' },
      verification: { status: 'VERIFIED', reference: 'r' },
    });
    expect(out.data.bvn).toBe('•••••••••01');
    expect(out.data.firstName).toBe('ADA');
    expect(out.data.dateOfBirth).toBe('[redacted]');
    expect(out.data.phoneNumber1).toBe('•••••••••01');
    expect(out.data.email).toBe('[redacted]');
    expect(out.data.residentialAddress).toBe('[redacted]');
    expect(out.data.base64Image).toMatch(/^\[image, [\d.]+ B, redacted\]$/);
    expect(out.data.images[0]).toMatch(/^\[image/);
    expect(out.data.face_1.image).toMatch(/^\[image/);
    expect(out.data.face_1.bounding_box.top).toBe(0.2);
    expect(out.request_data.number).toBe('•••••••••01');
    expect(out.verification).toEqual({ status: 'VERIFIED', reference: 'r' });
  });

  it('hides a base64 blob under any key, and leaves the input alone', () => {
    const input = { something: PNG };
    expect(redact(input).something).toMatch(/^\[image/);
    expect(input.something).toBe(PNG);
  });
});

describe('redaction of hostile and unusual bodies', () => {
  it('caps depth without recursion: a body nested 100,000 levels is shown to a depth, then a note', () => {
    const depth = 100_000;
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    const shown = displayCopy(deep) as unknown[];
    const text = JSON.stringify(shown);
    expect(text).toMatch(/\[nested 99968 levels, not shown\]/);
    expect(text.length).toBeLessThan(200);
    expect(JSON.stringify(displayCopy(deep, { redact: false }))).toMatch(/not shown/);
  });

  it('copies a "__proto__" key as data: masked like any key, shown, and never the copy\'s prototype', () => {
    const body = JSON.parse('{"__proto__":{"bvn":"22200000001","polluted":true},"data":{"constructor":"c"}}') as unknown;
    const shown = displayCopy(body) as Record<string, Record<string, unknown>>;
    expect(Object.keys(shown)).toEqual(['__proto__', 'data']);
    expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
    expect((shown as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(shown))).toEqual(
      JSON.parse('{"__proto__":{"bvn":"•••••••••01","polluted":true},"data":{"constructor":"c"}}'),
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('answers the same for a key seen once or many times, however many distinct keys arrive', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `phone_${i}` : `name_${i}`));
    for (let round = 0; round < 2; round++) {
      for (const [i, key] of keys.entries()) expect(isSensitiveKey(key)).toBe(i % 2 === 1);
    }
    expect(isSensitiveKey('x'.repeat(100) + '_email')).toBe(true);
  });

  it('summarises a multi-megabyte base64 photo without a regex over it', () => {
    const photo = 'data:image/jpeg;base64,' + '/9j/'.repeat(1_500_000);
    expect(redact({ document: { front: photo } }).document.front).toMatch(/^\[image, [\d.]+ KB, redacted\]$/);
    expect(redact({ anything: photo.slice(23) }).anything).toMatch(/^\[image/);
  });

  it('knows the common spellings of personal-data keys', () => {
    for (const key of [
      'bvn_number',
      'ninNumber',
      'birthday',
      'account_number',
      'customer_email',
      'phone_no',
      'mobileNumber',
      'dateOfBirth',
      'residentialAddress',
      'selfie_image',
    ]) {
      expect([key, isSensitiveKey(key)]).toEqual([key, true]);
    }
    for (const key of ['firstName', 'lastName', 'status', 'reference', 'event', 'widget_name', 'verification']) {
      expect([key, isSensitiveKey(key)]).toEqual([key, false]);
    }
  });

  it('leaves no identity number, phone, e-mail or birth date of any fixture visible', () => {
    const bodies = [
      ...EVENT_NAMES.map((e) => loadFixture(e)),
      ...PRODUCTS.map((p) => loadFixture('verification.completed', { product: p })),
    ];
    for (const body of bodies) {
      const text = JSON.stringify(redact(body));
      expect(text).not.toMatch(
        /22200000001|00000000001|08000000001|ada\.testperson@example\.com|1990-01-01|01-Jan-1990|01-01-1990|A00000000"|ABC00000AA00/,
      );
    }
  });

  it('masks digit runs and e-mail addresses in a body that is not JSON', () => {
    const text = redactText('\ufeffname=ADA&bvn=22200000001&phone=+234 800 000 0001&email=ada@example.com&x=12');
    expect(text).not.toMatch(/22200000001|800 000 0001|ada@example\.com/);
    expect(text).toContain('name=ADA');
    expect(text).toContain('x=12');
  });

  it('masks the personal-data keys an adversarial run found shown raw: whatsapp, street, tin, voter_id', () => {
    for (const key of ['whatsapp', 'whatsappNumber', 'street', 'street_name', 'tin', 'voter_id', 'postcode']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['firstName', 'lastName', 'status', 'lga', 'voters_card_type']) expect(isSensitiveKey(key), key).toBe(false);
  });
});

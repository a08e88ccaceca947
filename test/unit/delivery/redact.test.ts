import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/core/delivery/redact.js';

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

/** The verification endpoints the sandbox answers, and the bodies it answers with. */

import type { Product } from '../delivery/catalog.js';
import { loadProduct } from '../trigger/fixtures.js';
import { fakeIdentity, type FakeIdentity, type MagicNumber } from './identities.js';

export interface Route {
  /** Paths after one of the prefixes, without slashes at either end. */
  paths: readonly string[];
  product: Product;
  endpointName: string;
  /** Required body fields; `a|b` means either. */
  needs: readonly string[];
  /** Where the identity number is read from (image-only products have none: always a match). */
  numberFields: readonly string[];
  /** 07 (blocked) exists on BVN endpoints only. */
  bvn?: boolean;
}

export const ROUTES: readonly Route[] = [
  { paths: ['bvn_validation'], product: 'bvn', endpointName: 'BVN Basic', needs: ['number'], numberFields: ['number'], bvn: true },
  { paths: ['bvn'], product: 'bvn', endpointName: 'BVN Advance', needs: ['number'], numberFields: ['number'], bvn: true },
  { paths: ['bvn_w_face'], product: 'bvn', endpointName: 'BVN with Face', needs: ['number', 'image'], numberFields: ['number'], bvn: true },
  {
    paths: ['vnin', 'vnin-basic', 'nin_w_face', 'nin-level-2', 'nin_level_2'],
    product: 'nin',
    endpointName: 'NIN',
    needs: ['number|number_nin'],
    numberFields: ['number', 'number_nin'],
  },
  {
    paths: ['national_passport'],
    product: 'passport',
    endpointName: 'International Passport',
    needs: ['number', 'last_name'],
    numberFields: ['number'],
  },
  { paths: ['national_passport_image'], product: 'passport', endpointName: 'Passport Image', needs: ['image'], numberFields: [] },
  {
    paths: ['drivers_license/advance/v2'],
    product: 'drivers-license',
    endpointName: "Driver's License Advance V2",
    needs: ['number', 'first_name', 'last_name'],
    numberFields: ['number'],
  },
  {
    paths: ['drivers_license'],
    product: 'drivers-license',
    endpointName: "Driver's License",
    needs: ['number', 'dob', 'first_name', 'last_name'],
    numberFields: ['number'],
  },
  { paths: ['voters_card'], product: 'voters-card', endpointName: "Voter's Card", needs: ['number'], numberFields: ['number'] },
  { paths: ['image_comparison'], product: 'face', endpointName: 'Face Comparison', needs: ['image_one', 'image_two'], numberFields: [] },
  { paths: ['biometrics/face/liveliness_check'], product: 'face', endpointName: 'Face Liveliness', needs: ['image'], numberFields: [] },
  {
    paths: ['document_w_face'],
    product: 'document',
    endpointName: 'Document with Face',
    needs: ['doc_image', 'doc_type', 'doc_country', 'selfie_image'],
    numberFields: [],
  },
  { paths: ['document'], product: 'document', endpointName: 'Document', needs: ['doc_image'], numberFields: [] },
];

/** The path prefixes the docs use across generations (prembly-2026.md §4, path families). */
export const PREFIXES = ['/identitypass/verification/', '/verification/', '/api/v1/verification/api/', '/api/v1/verification/'] as const;

export function findRoute(path: string): Route | undefined {
  for (const prefix of PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).replace(/\/+$/, '');
    const route = ROUTES.find((r) => r.paths.includes(rest));
    if (route) return route;
  }
  return undefined;
}

/** The first required field the body lacks, as the error names it. */
export function missingField(route: Route, body: Record<string, unknown>): string | null {
  for (const need of route.needs) {
    const either = need.split('|');
    if (!either.some((f) => typeof body[f] === 'string' && (body[f] as string).trim() !== '')) return either[0]!;
  }
  return null;
}

export function numberOf(route: Route, body: Record<string, unknown>): string | null {
  for (const field of route.numberFields) if (typeof body[field] === 'string') return (body[field] as string).trim();
  return null;
}

const IDENTITY_KEYS: Record<string, keyof FakeIdentity> = {
  firstname: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  middlename: 'middleName',
  dateofbirth: 'dateOfBirth',
  birthdate: 'dateOfBirth',
  dob: 'dateOfBirth',
  phonenumber: 'phoneNumber',
  telephoneno: 'phoneNumber',
  mobile: 'phoneNumber',
  phone: 'phoneNumber',
  gender: 'gender',
};

/** Puts the made-up identity into whichever name fields the product's record has. */
function fillIdentity(node: unknown, identity: FakeIdentity): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const field = IDENTITY_KEYS[key.toLowerCase().replace(/_/g, '')];
    if (field && typeof value === 'string') record[key] = identity[field];
    else if (value && typeof value === 'object') fillIdentity(value, identity);
  }
}

/** A match: the product's documented 00 answer with this reference, the number and a made-up identity. */
export function matchBody(route: Route, number: string | null, reference: string): Record<string, unknown> {
  const body = loadProduct(route.product);
  if (number !== null) {
    const person = fakeIdentity(number);
    fillIdentity(body.data, person);
    fillIdentity(body.frsc_data, person);
    if (body.request_data && typeof body.request_data === 'object') (body.request_data as Record<string, unknown>).number = number;
  }
  body.endpoint_name = route.endpointName;
  body.verification = { status: 'VERIFIED', reference };
  return body;
}

const FAILURE_TEXT: Record<string, string> = {
  '01': 'Record not found. The ID may be wrong',
  '02': 'Verification failed: the provider is unavailable; the result will follow by webhook',
  '03': 'Insufficient wallet balance; the result will follow by webhook once the wallet is funded',
  '07': 'BVN blocked or watch-listed',
};

/** The answer to a call that did not match: the legacy failure body (prembly-2026.md §4, response codes). */
export function failureBody(magic: MagicNumber, reference: string, route: Route): Record<string, unknown> {
  const pending = magic.code === '02' || magic.code === '03';
  return {
    status: false,
    response_code: magic.code,
    detail: magic.code === '02' ? 'Verification failed' : FAILURE_TEXT[magic.code],
    message: FAILURE_TEXT[magic.code],
    verification: { status: pending ? 'PENDING' : 'NOT-VERIFIED', reference },
    endpoint_name: route.endpointName,
    session: {},
  };
}

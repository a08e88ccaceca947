/** The verification endpoints the sandbox answers, and the bodies it answers with. */

import type { Product } from '../delivery/catalog.js';
import { loadProduct } from '../trigger/fixtures.js';
import { fakeIdentity, type FakeIdentity, type MagicNumber } from './identities.js';

export interface Route {
  /** Paths after one of the family prefixes, without slashes at either end. */
  paths: readonly string[];
  product: Product;
  endpointName: string;
  /** Required body fields; `a|b` means either. */
  needs: readonly string[];
  /** Where the identity number is read from (image-only products have none: always a match). */
  numberFields: readonly string[];
  /** 07 (blocked) exists on BVN endpoints only. */
  bvn?: boolean;
  /** The documented liveness answer instead of the product's record. */
  liveness?: boolean;
}

const NIN = { product: 'nin', endpointName: 'NIN', needs: ['number|number_nin'], numberFields: ['number', 'number_nin'] } as const;
const DL = { product: 'drivers-license', numberFields: ['number'] } as const;

export const ROUTES: readonly Route[] = [
  { paths: ['bvn_validation'], product: 'bvn', endpointName: 'BVN Basic', needs: ['number'], numberFields: ['number'], bvn: true },
  { paths: ['bvn', 'bvn/advance'], product: 'bvn', endpointName: 'BVN Advance', needs: ['number'], numberFields: ['number'], bvn: true },
  { paths: ['bvn_w_face'], product: 'bvn', endpointName: 'BVN with Face', needs: ['number', 'image'], numberFields: ['number'], bvn: true },
  { ...NIN, paths: ['vnin', 'vnin-basic', 'nin', 'nin_wo_face', 'nin-level-2', 'nin_level_2'] },
  { ...NIN, paths: ['nin_w_face'], endpointName: 'NIN with Face', needs: ['number|number_nin', 'image'] },
  {
    paths: ['phone_number', 'phone_number/advance', 'phone'],
    product: 'bvn',
    endpointName: 'Phone Number',
    needs: ['number|phone_number'],
    numberFields: ['number', 'phone_number'],
  },
  {
    paths: ['national_passport', 'national_passport/async', 'national_passport_v2'],
    product: 'passport',
    endpointName: 'International Passport',
    needs: ['number', 'last_name'],
    numberFields: ['number'],
  },
  {
    paths: ['national_passport_with_face', 'national_passport_w_face'],
    product: 'passport',
    endpointName: 'International Passport with Face',
    needs: ['number', 'last_name', 'image'],
    numberFields: ['number'],
  },
  { paths: ['national_passport_image'], product: 'passport', endpointName: 'Passport Image', needs: ['image'], numberFields: [] },
  {
    ...DL,
    paths: ['drivers_license/advance/v2', 'drivers_license/advance'],
    endpointName: "Driver's License Advance V2",
    needs: ['number', 'first_name', 'last_name'],
  },
  {
    ...DL,
    paths: ['drivers_license', 'drivers_license/basic'],
    endpointName: "Driver's License",
    needs: ['number', 'dob', 'first_name', 'last_name'],
  },
  {
    paths: ['drivers_license/image'],
    product: 'drivers-license',
    endpointName: "Driver's License Image",
    needs: ['image'],
    numberFields: [],
  },
  { paths: ['voters_card'], product: 'voters-card', endpointName: "Voter's Card", needs: ['number'], numberFields: ['number'] },
  {
    paths: ['image_comparison', 'biometrics/face/comparison', 'face_comparison'],
    product: 'face',
    endpointName: 'Face Comparison',
    needs: ['image_one', 'image_two'],
    numberFields: [],
  },
  {
    paths: ['biometrics/face/liveliness_check', 'liveliness_check', 'liveness_check'],
    product: 'face',
    endpointName: 'Face Liveliness',
    needs: ['image'],
    numberFields: [],
    liveness: true,
  },
  {
    paths: ['document_w_face'],
    product: 'document',
    endpointName: 'Document with Face',
    needs: ['doc_image', 'doc_type', 'doc_country', 'selfie_image'],
    numberFields: [],
  },
  { paths: ['document'], product: 'document', endpointName: 'Document', needs: ['doc_image'], numberFields: [] },
];

/** The four path families (prembly-2026.md §4), longest prefix first: each answers in its own shape. */
export type Family = 'g-new-reference' | 'g-new-guide' | 'g-legacy' | 'identitypass';
const FAMILIES: [RegExp, Family][] = [
  [/^\/api\/v1\/verification\/api\//, 'g-new-reference'],
  [/^\/api\/v1\/verification\//, 'g-new-guide'],
  [/^\/api\/v[12]\/biometrics\/merchant\/data\/verification\//, 'identitypass'],
  [/^\/identitypass\/verification\//, 'g-legacy'],
  [/^\/verification\//, 'g-legacy'],
];

export function findRoute(path: string): (Route & { family: Family }) | undefined {
  for (const [prefix, family] of FAMILIES) {
    const match = prefix.exec(path);
    if (!match) continue;
    const rest = path.slice(match[0].length).replace(/\/+$/, '');
    const route = ROUTES.find((r) => r.paths.includes(rest));
    if (route) return { ...route, family };
  }
  return undefined;
}

/** A field's value as text: a JSON number (as one SDK's own tests send) counts as its digits. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** The first required field the body lacks, as the error names it. */
export function missingField(route: Route, body: Record<string, unknown>): string | null {
  for (const need of route.needs) {
    const either = need.split('|');
    if (!either.some((f) => textOf(body[f]) !== null)) return either[0]!;
  }
  return null;
}

export function numberOf(route: Route, body: Record<string, unknown>): string | null {
  for (const field of route.numberFields) {
    const text = textOf(body[field]);
    if (text !== null) return text.trim();
  }
  return null;
}

/** What a well-formed number looks like per product (the docs' test values all fit). */
const FORMATS: Record<string, { pattern: RegExp; says: string }> = {
  bvn: { pattern: /^\d{11}$/, says: 'a BVN is 11 digits' },
  nin: { pattern: /^\d{11}$/, says: 'a NIN is 11 digits' },
  'Phone Number': { pattern: /^(?:\+?234|0)?\d{10}$/, says: 'a Nigerian phone number: 080…, 234… or +234… and 10 digits' },
  passport: { pattern: /^[A-Z]\d{8}$/i, says: 'a Nigerian passport number is a letter and 8 digits (A00400000)' },
  'drivers-license': {
    pattern: /^[A-Z]{3}[A-Z0-9]{5,17}$/i,
    says: "a driver's licence number is 3 letters then letters and digits (AAD2320823198)",
  },
  'voters-card': { pattern: /^[A-Z0-9]{9,23}$/i, says: "a voter's identification number is 9 to 23 letters and digits (987f545AJ67890)" },
};

/** Why a number is not one Prembly would look up (HTTP 400, response code 05), or null when it is well-formed. */
export function badNumber(route: Route, number: string): string | null {
  const format = FORMATS[route.endpointName] ?? FORMATS[route.product];
  if (!format) return null;
  if (!format.pattern.test(number)) return format.says;
  // a run of one digit is not an identity number (Prembly answered vnin 11111111111 with 05)
  if (/^(\d)\1+$/.test(number)) return `${number} is not an identity number`;
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

/** The Identitypass family's record keys, where its docs and SDKs show them (bvn_data, nin_data, vc_data); inferred elsewhere. */
const IDENTITYPASS_RECORD: Partial<Record<Product, string>> = { bvn: 'bvn_data', nin: 'nin_data', 'voters-card': 'vc_data' };

/** Record fields that carry the number asked about. */
const NUMBER_KEYS = new Set(['number', 'bvn', 'nin', 'vnin', 'driverslicense', 'vin', 'passportnumber', 'documentnumber']);

function echoNumber(node: unknown, number: string): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return;
  for (const key of Object.keys(node)) {
    if (NUMBER_KEYS.has(key.toLowerCase().replace(/_/g, ''))) (node as Record<string, unknown>)[key] = number;
  }
}

/** Names as submitted (first_name, last_name…) win over the made-up ones, as Prembly returns the record it found. */
function personFor(number: string, request: Record<string, unknown>): FakeIdentity {
  const person = { ...fakeIdentity(number) };
  const given = (field: string) =>
    typeof request[field] === 'string' && (request[field] as string).trim() ? (request[field] as string).trim().toUpperCase() : null;
  person.firstName = given('first_name') ?? given('firstname') ?? person.firstName;
  person.lastName = given('last_name') ?? given('lastname') ?? given('surname') ?? person.lastName;
  person.middleName = given('middle_name') ?? person.middleName;
  return person;
}

/** The documented liveness answer [doc] S32. */
function livenessBody(reference: string): Record<string, unknown> {
  return {
    status: true,
    detail: 'Liveliness Detected',
    response_code: '00',
    data: { confidence: 98.61, confidence_in_percentage: '98.61%' },
    verification: { status: 'VERIFIED', reference, verification_id: 0 },
    endpoint_name: 'Face Liveliness',
  };
}

/** A match: the product's documented 00 answer in its family's shape, echoing the request (number, names, request_data). */
export function matchBody(
  route: Route & { family?: Family },
  number: string | null,
  reference: string,
  request: Record<string, unknown> = {},
): Record<string, unknown> {
  if (route.liveness) return { ...livenessBody(reference), request_data: request };
  const body = loadProduct(route.product);
  if (number !== null) {
    const person = personFor(number, request);
    for (const record of [body.data, body.frsc_data]) {
      fillIdentity(record, person);
      echoNumber(record, number);
    }
  }
  body.request_data = request;
  body.endpoint_name = route.endpointName;
  body.verification = { status: 'VERIFIED', reference };
  const key = route.family === 'identitypass' ? IDENTITYPASS_RECORD[route.product] : undefined;
  if (key && body.data !== undefined) {
    body[key] = body.data;
    delete body.data;
  }
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

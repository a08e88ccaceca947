/**
 * Magic test numbers: the identity number a call carries decides what the sandbox answers. Any
 * other well-formed number is a match with a made-up identity derived from the number.
 */

import { createHash } from 'node:crypto';

export type Outcome = 'verified' | 'not-found' | 'registry-down' | 'wallet-empty' | 'blocked' | 'slow';

export interface MagicNumber {
  number: string;
  outcome: Outcome;
  code: '00' | '01' | '02' | '03' | '07';
  what: string;
}

export const MAGIC_NUMBERS: readonly MagicNumber[] = [
  { number: '54651333604', outcome: 'verified', code: '00', what: "the docs' BVN test value: a match, and the direct-API webhook" },
  { number: '12345678901', outcome: 'verified', code: '00', what: "the docs' NIN test value: a match, and the direct-API webhook" },
  { number: '00000000001', outcome: 'not-found', code: '01', what: 'no record: 01, NOT-VERIFIED, no webhook' },
  {
    number: '00000000002',
    outcome: 'registry-down',
    code: '02',
    what: 'the registry is down: 02 with a PENDING reference, then the result by webhook (is_callback_retry) after --pending-delay',
  },
  {
    number: '00000000003',
    outcome: 'wallet-empty',
    code: '03',
    what: 'the wallet is empty: 03 with a PENDING reference, then the result by webhook (is_pending_payment_retry) after --pending-delay',
  },
  { number: '00000000007', outcome: 'blocked', code: '07', what: 'blocked or watch-listed (BVN products): 07, NOT-VERIFIED, no webhook' },
  { number: '00000000009', outcome: 'slow', code: '00', what: 'a slow provider: a match, answered after --slow-delay' },
];

/** The docs' own test values (prembly-2026.md §4): each is a match. */
export const DOCUMENTED_NUMBERS: readonly string[] = [
  '54651333604',
  '12345678901',
  'A00400000',
  'AAD2320823198',
  'ABC12345YZ00',
  '987f545AJ67890',
];

/**
 * Sandbox identities beyond those: a well-formed number that starts like one of these is a match
 * with a made-up identity (the same one each time). Any other well-formed number is not found (01).
 */
export const SANDBOX_PREFIXES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /^222\d{8}$/, what: 'BVN or NIN 222xxxxxxxx' },
  { pattern: /^A00\d{6}$/i, what: 'passport A00xxxxxx' },
  { pattern: /^(?:ABC|AAD)/i, what: "driver's licence ABC… or AAD…" },
  { pattern: /^(?:90F5|987F)/i, what: "voter's card 90F5… or 987F…" },
  { pattern: /^(?:\+?234|0)80000\d{5}$/, what: 'phone 080000xxxxx' },
];

export function isMagic(number: string): boolean {
  return MAGIC_NUMBERS.some((m) => m.number === number);
}

export function outcomeFor(number: string): MagicNumber {
  const magic = MAGIC_NUMBERS.find((m) => m.number === number);
  if (magic) return magic;
  const lower = number.toLowerCase();
  if (DOCUMENTED_NUMBERS.some((n) => n.toLowerCase() === lower) || SANDBOX_PREFIXES.some((p) => p.pattern.test(number)))
    return { number, outcome: 'verified', code: '00', what: 'a match with a made-up identity' };
  return { number, outcome: 'not-found', code: '01', what: 'no record with that number' };
}

const FIRST = ['ADA', 'CHIDI', 'FUNMI', 'TUNDE', 'NGOZI', 'EMEKA', 'AISHA', 'BAYO', 'KEMI', 'OBI'];
const LAST = ['SANDBOXSON', 'TESTPERSON', 'FAKEYEMI', 'MOCKWUKA', 'STANDIN', 'EXAMPLEBI', 'DUMMYOLA', 'PRETENDU'];

export interface FakeIdentity {
  firstName: string;
  middleName: string;
  lastName: string;
  dateOfBirth: string;
  gender: 'Male' | 'Female';
  phoneNumber: string;
}

/** The same number always gives the same identity; every name says it is not real. */
export function fakeIdentity(number: string): FakeIdentity {
  const h = createHash('sha256').update(number).digest();
  const year = 1960 + (h[3]! % 45);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][h[4]! % 12]!;
  const day = String(1 + (h[5]! % 28)).padStart(2, '0');
  return {
    firstName: FIRST[h[0]! % FIRST.length]!,
    middleName: 'SANDBOX',
    lastName: LAST[h[1]! % LAST.length]!,
    dateOfBirth: `${day}-${month}-${year}`,
    gender: h[2]! % 2 === 0 ? 'Male' : 'Female',
    phoneNumber: `0800000${String(h.readUInt16BE(6) % 10000).padStart(4, '0')}`,
  };
}

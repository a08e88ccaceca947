/** Checks that send one kind of delivery and judge the answer: genuine kinds, schemes, forgeries, raw bytes, size, speed. */

import { randomUUID } from 'node:crypto';
import { computeSignature } from '../signing/sign.js';
import { PREMBLY_SIGNATURE_HEADER, TOKEN_HEADER, type Scheme } from '../signing/schemes.js';
import { loadFixture } from '../trigger/fixtures.js';
import { percentiles } from '../trigger/load.js';
import { describeExchange, describeOutgoing, formatMs, type DoctorContext, type Outgoing } from './context.js';
import { unusualBytes, withPhotos } from './bodies.js';
import { judgeGenuine } from './judge.js';
import type { CheckSpec } from './spec.js';

const RAW_EVENT = 'verification.completed';

export function genuineCheck(event: string): CheckSpec {
  return {
    id: `genuine.${event}`,
    group: 'genuine',
    title: `accepts a genuine ${event}`,
    required: true,
    async run(ctx) {
      const info = ctx.info(event);
      const out = ctx.genuine(event);
      const ex = await ctx.send(out);
      const j = judgeGenuine(ex, info, ctx.timeoutMs);
      const verdict = !j.ok ? 'fail' : j.slow ? 'warn' : 'pass';
      // a refusal of a genuine delivery: which key signed it (idpass's built-in or yours) says what to change
      const refused = !j.ok && (ex.status === 401 || ex.status === 403);
      const fix = refused
        ? `it refused a correctly signed delivery: ${ctx.keyAdvice(event)}. ${j.fix?.replace(/^it refused a correctly signed delivery: /, '') ?? ''}`.trim()
        : j.fix;
      return { verdict, sent: describeOutgoing(out), got: describeExchange(ex, !j.ok), status: ex.status, prembly: j.prembly, fix };
    },
  };
}

const SCHEME_NOTE =
  'the legacy static schemes send your public key in base64 as the "signature": it says nothing about the body, and anyone who has seen the public key (it ships in your front end with the SDK) can forge one';

export function schemeCheck(scheme: Exclude<Scheme, 'prembly-hmac'>): CheckSpec {
  return {
    id: `schemes.${scheme}`,
    group: 'schemes',
    title: `refuses the legacy ${scheme} static signature`,
    required: false,
    async run(ctx) {
      const made = ctx.body(RAW_EVENT);
      const out = ctx.signed(RAW_EVENT, Buffer.from(JSON.stringify(made.body)), made.reference, scheme);
      const ex = await ctx.send(out);
      const status = ex.status ?? 0;
      const sent = describeOutgoing(out);
      const got = describeExchange(ex, false);
      if (ex.error === null && status >= 200 && status < 300) {
        return {
          verdict: 'warn',
          sent,
          got: `${got}: accepted`,
          status: ex.status,
          prembly: 'signs every current delivery with HMAC-SHA256 of the body (x-prembly-signature)',
          fix: `${SCHEME_NOTE}. Accept only the HMAC unless an old integration still sends this scheme`,
        };
      }
      if (ex.error === null && status >= 400 && status < 500)
        return { verdict: 'pass', sent, got: `${got}: refused`, status: ex.status, prembly: null, fix: null };
      return {
        verdict: 'fail',
        sent,
        got: describeExchange(ex),
        status: ex.status,
        prembly: null,
        fix: 'a request with an unexpected signature must get a 4xx (401), not a crash or a hang',
      };
    },
  };
}

type Forgery = 'wrong-key' | 'changed-body' | 'missing-signature' | 'reserialised' | 'missing-token';

const FORGERIES: Record<Forgery, { title: string; what: string; accepted: string }> = {
  'wrong-key': {
    title: 'refuses a delivery signed with another key',
    what: 'HMAC with a key that is not yours',
    accepted: 'it accepted a signature made with another key: compare the HMAC of the raw body under your public key, in constant time',
  },
  'changed-body': {
    title: 'refuses a body changed after signing',
    what: 'signed, then one field changed (data.firstName)',
    accepted:
      'it accepted a body that does not match its signature: compute the HMAC over the raw body bytes and compare it with the header',
  },
  'missing-signature': {
    title: 'refuses a delivery with no signature',
    what: `no ${PREMBLY_SIGNATURE_HEADER} header`,
    accepted: `it accepted a delivery without a signature: answer 401 when ${PREMBLY_SIGNATURE_HEADER} is missing`,
  },
  reserialised: {
    title: 'refuses a signature over other bytes of the same JSON',
    what: 'indented JSON, signed over its compact form',
    accepted:
      'it accepted a signature that covers different bytes: your handler verifies a re-serialised body (JSON.stringify(req.body)). Verify the raw bytes before parsing (express.raw, or the idpass middleware)',
  },
  'missing-token': {
    title: 'refuses a delivery with no token header',
    what: 'a valid signature, no token header',
    accepted:
      'it accepted a delivery without the token header Prembly sends with every delivery: answer 401 without it, and track tokens against replays',
  },
};

function forge(ctx: DoctorContext, kind: Forgery): Outgoing {
  const made = ctx.body(RAW_EVENT);
  const compact = Buffer.from(JSON.stringify(made.body));
  const out = ctx.signed(RAW_EVENT, compact, made.reference);
  const signature = PREMBLY_SIGNATURE_HEADER;
  switch (kind) {
    case 'wrong-key':
      return {
        ...out,
        headers: { ...out.headers, [signature]: computeSignature('prembly-hmac', `test_pk_${randomUUID().replace(/-/g, '')}`, compact) },
      };
    case 'changed-body': {
      const changed = { ...made.body, data: { ...(made.body.data as object), firstName: 'MALLORY' } };
      return { ...out, body: Buffer.from(JSON.stringify(changed)) };
    }
    case 'missing-signature': {
      const { [signature]: _gone, ...headers } = out.headers;
      return { ...out, headers };
    }
    case 'reserialised':
      return { ...out, body: Buffer.from(JSON.stringify(made.body, null, 2)) };
    case 'missing-token': {
      const { [TOKEN_HEADER]: _gone, ...headers } = out.headers;
      return { ...out, headers };
    }
  }
}

export function forgeryCheck(kind: Forgery): CheckSpec {
  const about = FORGERIES[kind];
  return {
    id: `forgery.${kind}`,
    group: 'forgery',
    title: about.title,
    required: kind !== 'missing-token',
    async run(ctx) {
      const out = forge(ctx, kind);
      const ex = await ctx.send(out);
      const sent = `${RAW_EVENT}: ${about.what}`;
      const got = describeExchange(ex, false);
      const status = ex.status ?? 0;
      if (ex.error === null && status === 401) return { verdict: 'pass', sent, got, status, prembly: null, fix: null };
      if (ex.error === null && status >= 400 && status < 500) {
        return {
          verdict: 'warn',
          sent,
          got,
          status,
          prembly: null,
          fix: `refused, but with ${status}: Prembly's guide answers 401 to a missing or wrong signature`,
        };
      }
      const acceptedIt = ex.error === null && status >= 200 && status < 400;
      return {
        verdict: kind === 'missing-token' && acceptedIt ? 'warn' : 'fail',
        sent,
        got: describeExchange(ex),
        status: ex.status,
        prembly: acceptedIt ? 'sends real deliveries to a public URL: anyone can post this one to it' : null,
        fix: acceptedIt ? about.accepted : 'a forged request must get 401, not a crash or a hang',
      };
    },
  };
}

export const FORGERY_KINDS = Object.keys(FORGERIES) as Forgery[];

export const rawBytesCheck: CheckSpec = {
  id: 'raw-bytes',
  group: 'raw-bytes',
  title: 'verifies the raw bytes: accepts valid JSON written unusually',
  required: true,
  async run(ctx) {
    const made = ctx.body(RAW_EVENT);
    const out = ctx.signed(RAW_EVENT, unusualBytes(made.body), made.reference);
    const ex = await ctx.send(out);
    const j = judgeGenuine(ex, ctx.info(RAW_EVENT), ctx.timeoutMs);
    const sent = describeOutgoing(out, `${RAW_EVENT} with reordered keys, odd spacing, escaped unicode and slashes, a large integer`);
    if (j.ok) return { verdict: 'pass', sent, got: describeExchange(ex, false), status: ex.status, prembly: null, fix: null };
    const fix =
      ex.status === 401 || ex.status === 403
        ? await refusedUnusual(ctx, made)
        : ex.status === 400
          ? 'your handler could not parse valid JSON (escaped unicode, a large integer): parse after verifying, with a standard JSON parser'
          : j.fix;
    return { verdict: 'fail', sent, got: describeExchange(ex), status: ex.status, prembly: j.prembly, fix };
  },
};

/**
 * Why the unusual bytes were refused, from evidence: the same body written plainly (as
 * JSON.stringify writes it) and signed the same way is sent too. Accepted, the handler verifies a
 * re-serialised body; refused as well, it is not about the bytes at all, and the key is the question.
 */
async function refusedUnusual(ctx: DoctorContext, made: { body: Record<string, unknown>; reference: string }): Promise<string> {
  const plain = await ctx.send(ctx.signed(RAW_EVENT, Buffer.from(JSON.stringify(made.body)), made.reference));
  if (plain.error === null && plain.status !== null && plain.status >= 200 && plain.status < 300)
    return 'your handler verifies a re-serialised body (JSON.stringify(req.body)), not the bytes that came: the same delivery written plainly and signed the same way was accepted. Verify the raw body before parsing (express.raw, or the idpass middleware)';
  if (plain.error !== null || plain.status === null || plain.status >= 500)
    return `it refused the unusual bytes, and the same delivery written plainly ${plain.error ? `got no answer (${plain.error.message})` : `crashed it (${plain.status})`}: see the crash first`;
  return `it refused the same delivery written plainly too (${plain.status}), so this is not about re-serialising: ${ctx.keyAdvice(RAW_EVENT)}`;
}

/** Several MB of photos in one delivery: documents and portraits come as base64. */
const PHOTO_BYTES = 3 * 1024 * 1024;

export const sizeCheck: CheckSpec = {
  id: 'size',
  group: 'size',
  title: 'accepts a delivery carrying several MB of photos',
  required: true,
  async run(ctx) {
    const reference = randomUUID();
    const body = withPhotos(loadFixture(RAW_EVENT, { product: 'document', reference }), PHOTO_BYTES);
    const out = ctx.signed(RAW_EVENT, Buffer.from(JSON.stringify(body)), reference);
    const ex = await ctx.send(out);
    const j = judgeGenuine(ex, ctx.info(RAW_EVENT), ctx.timeoutMs);
    const sent = describeOutgoing(out, `${RAW_EVENT} (document product) with base64 photos`);
    const verdict = !j.ok ? 'fail' : j.slow ? 'warn' : 'pass';
    return { verdict, sent, got: describeExchange(ex, !j.ok), status: ex.status, prembly: j.prembly, fix: j.fix };
  },
};

export const speedCheck: CheckSpec = {
  id: 'speed',
  group: 'speed',
  title: 'answers well within the 10 s Prembly waits',
  required: true,
  async run(ctx) {
    const samples = ctx.options.samples ?? 20;
    const times: number[] = [];
    let failures = 0;
    let last = null as Awaited<ReturnType<DoctorContext['send']>> | null;
    for (let i = 0; i < samples; i++) {
      const ex = await ctx.send(ctx.genuine(RAW_EVENT));
      if (!judgeGenuine(ex, ctx.info(RAW_EVENT), ctx.timeoutMs).ok) {
        failures++;
        last = ex;
      }
      times.push(ex.ms);
    }
    const { p50, p95, max } = percentiles(times);
    const timing = { samples, p50, p95, max };
    const sent = `${samples} genuine ${RAW_EVENT} deliveries, one after another`;
    const got = `p50 ${formatMs(timing.p50)} · p95 ${formatMs(timing.p95)} · max ${formatMs(timing.max)}`;
    if (failures > 0) {
      const j = judgeGenuine(last!, ctx.info(RAW_EVENT), ctx.timeoutMs);
      return {
        verdict: 'fail',
        sent,
        got: `${got} · ${failures} not answered as Prembly needs (last: ${describeExchange(last!)})`,
        status: last!.status,
        prembly: j.prembly,
        fix: j.fix,
        timing,
      };
    }
    if (timing.p95 > ctx.timeoutMs / 2) {
      return {
        verdict: 'warn',
        sent,
        got,
        status: 200,
        timing,
        prembly: `waits ${formatMs(ctx.timeoutMs)}; one answer in twenty is close to that`,
        fix: 'answer 200 as soon as the delivery is recorded and do the work after',
      };
    }
    return { verdict: 'pass', sent, got, status: 200, prembly: null, fix: null, timing };
  },
};

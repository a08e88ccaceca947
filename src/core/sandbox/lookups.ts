/**
 * The sandbox's read-only endpoints: the status check (G-new, and the legacy path), SDK session
 * lookup and list, and the verification logs, each in the shape prembly-2026.md §4 gives it.
 */

import type { Express, Request, Response } from 'express';
import { errorBody, meta } from './envelope.js';

export interface Verification {
  reference: string;
  status: 'VERIFIED' | 'NOT-VERIFIED' | 'PENDING';
  code: string;
  endpoint: string;
  createdAt: string;
  updatedAt: string;
  /** The request as it came, for the legacy status's request_data. */
  request?: Record<string, unknown>;
}

export interface LookupContext {
  verifications: Map<string, Verification>;
  sessions: Map<string, Record<string, unknown>>;
  authorised(req: Request, res: Response): boolean;
  fact(req: Request, status: number, extra?: { code?: string | null; reference?: string | null }): void;
}

function find(ctx: LookupContext, id: string): Verification | undefined {
  return ctx.verifications.get(id) ?? ctx.verifications.get(id.replace(/_/g, '-'));
}

function notFound(ctx: LookupContext, req: Request, res: Response, what: string, id: string): void {
  res.status(404).json(errorBody(`${what} not found`, { identifier: [id] }));
  ctx.fact(req, 404);
}

/** One page of a list, as the G-new envelope pages it. */
function page<T>(items: T[], req: Request): { items: T[]; pagination: Record<string, number> } {
  const size = Math.min(100, Math.max(1, Number(req.query.page_size ?? 20) || 20));
  const at = Math.max(1, Number(req.query.page ?? 1) || 1);
  return {
    items: items.slice((at - 1) * size, at * size),
    pagination: { page: at, page_size: size, total_pages: Math.max(1, Math.ceil(items.length / size)), total_items: items.length },
  };
}

export function lookupRoutes(app: Express, ctx: LookupContext): void {
  app.get('/api/v1/verification/api/status/:id', (req, res) => {
    if (!ctx.authorised(req, res)) return;
    const id = String(req.params.id);
    const entry = find(ctx, id);
    if (!entry) return notFound(ctx, req, res, 'Verification', id);
    const data = {
      reference: entry.reference,
      status: entry.status,
      response_code: entry.code,
      endpoint_name: entry.endpoint,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
    };
    res.json({ data, status: true, message: 'Request successful.', errors: {}, meta: meta() });
    ctx.fact(req, 200, { code: entry.code, reference: entry.reference });
  });
  // the legacy status check (documented as live-only; the sandbox answers it so code written for it runs)
  app.get(['/verification/:id/status', '/identitypass/verification/:id/status'], (req, res) => {
    if (!ctx.authorised(req, res)) return;
    const id = String(req.params.id);
    const entry = find(ctx, id);
    if (!entry) return notFound(ctx, req, res, 'Verification', id);
    res.json({
      status: true,
      detail: 'Verification status fetched',
      data: {
        reference: entry.reference,
        response_code: entry.code,
        endpoint_name: entry.endpoint,
        request_data: entry.request ?? {},
        verification_status: entry.status,
        billing_status: entry.code === '00' ? 'CHARGED' : 'NOT_CHARGED',
        source: 'API',
        created_at: entry.createdAt,
      },
    });
    ctx.fact(req, 200, { code: entry.code, reference: entry.reference });
  });
  app.get('/api/v1/checker-widget/sdk/sessions', (req, res) => {
    if (!ctx.authorised(req, res)) return;
    const sessions = [...ctx.sessions.values()].reverse();
    const { items, pagination } = page(sessions, req);
    res.json({
      status: true,
      detail: 'Sessions fetched successfully',
      pagination: {
        page: pagination.page,
        page_size: pagination.page_size,
        total: pagination.total_items,
        total_pages: pagination.total_pages,
      },
      sessions: items,
    });
    ctx.fact(req, 200);
  });
  app.get('/api/v1/checker-widget/sdk/sessions/:id', (req, res) => {
    if (!ctx.authorised(req, res)) return;
    if (!req.get('x-organisation-id')) {
      res.status(400).json({ status: false, message: "Bad request: missing required header 'x-organisation-id'" });
      return ctx.fact(req, 400);
    }
    const session = ctx.sessions.get(String(req.params.id));
    if (!session) {
      res.status(404).json({ status: false, detail: 'Session not found' });
      return ctx.fact(req, 404);
    }
    res.json({ status: true, detail: 'Session fetched successfully', response: session });
    ctx.fact(req, 200);
  });
  app.get('/api/v1/verification/logs', (req, res) => logsRoute(ctx, req, res));
}

/** GET /api/v1/verification/logs: what was verified here, newest first, filtered by response code or reference. */
function logsRoute(ctx: LookupContext, req: Request, res: Response): void {
  if (!ctx.authorised(req, res)) return;
  const wanted = typeof req.query.response_code === 'string' ? req.query.response_code : null;
  const search = typeof req.query.search === 'string' ? req.query.search : null;
  const logs = [...ctx.verifications.values()]
    .reverse()
    .filter((v) => (!wanted || v.code === wanted) && (!search || v.reference.includes(search)))
    .map((v) => ({
      reference_id: v.reference,
      channel: v.endpoint,
      response_code: v.code,
      status: v.status === 'VERIFIED' ? 'success' : v.status === 'PENDING' ? 'pending' : 'failed',
      method: 'api',
      created_at: v.createdAt,
    }));
  const { items, pagination } = page(logs, req);
  res.json({ data: items, status: true, message: 'Request successful.', errors: {}, meta: meta(), pagination });
  ctx.fact(req, 200);
}

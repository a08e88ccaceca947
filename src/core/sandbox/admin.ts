/** The admin API under /__idpass/: deliveries and the dashboard's resend, the webhook URL, and flows on demand. */

import express from 'express';
import { isLoopbackAddress, isLoopbackHostHeader, isLoopbackOrigin } from '../common/hosts.js';
import { deliveryFacts, type Dispatcher, type SandboxDelivery } from './dispatcher.js';

/** A delivery as JSON: its body parsed, the internal hook left out. */
export function deliveryView(d: SandboxDelivery): Record<string, unknown> {
  return { ...deliveryFacts(d), body: JSON.parse(d.body.toString('utf8')) as unknown };
}

/** Whether a request came from this machine: the admin API answers nobody else, whatever the bind address. */
function fromLoopback(req: express.Request): boolean {
  return isLoopbackAddress(req.socket.remoteAddress);
}

/** What the admin API drives: the sandbox's dispatcher, webhook URL and flows (kept apart so the two files do not import each other). */
export interface AdminControls {
  readonly dispatcher: Dispatcher;
  readonly webhookUrl: URL | null;
  setWebhookUrl(url: URL | string | null): void;
  completeSession(userRef: string | undefined, status: 'VERIFIED' | 'NOT-VERIFIED'): SandboxDelivery;
  raise(
    event: 'workflow.process.completed' | 'workflow.process.failed' | 'workflow.process.manual_review' | 'watchlist.identity_flagged',
  ): SandboxDelivery;
}

/**
 * Why the admin API refuses a request, if it does. It can point webhooks anywhere and fire signed
 * ones, so: only this machine (the peer address), only a request addressed to this machine (a
 * loopback Host: DNS rebinding gives a foreign name), no web page (a foreign Origin), only JSON
 * writes (a form or text/plain POST is what a page can send without asking), and never a webhook
 * (one pointed back here would loop).
 */
function adminRefusal(req: express.Request): { status: number; error: string } | null {
  if (!fromLoopback(req)) return { status: 403, error: 'the sandbox admin API answers only requests from this machine' };
  if (!isLoopbackHostHeader(req.headers.host)) {
    return { status: 403, error: 'the sandbox admin API answers only requests addressed to 127.0.0.1, localhost or [::1]' };
  }
  const origin = req.headers.origin;
  // a sandboxed page or a file sends Origin: null, which is no URL: refused like any foreign origin
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    return { status: 403, error: 'the sandbox admin API does not answer web pages from other origins' };
  }
  if (req.headers['x-prembly-signature'] !== undefined || req.headers['x-identitypass-signature'] !== undefined) {
    return { status: 403, error: 'a webhook never drives the sandbox admin API (is the webhook URL pointed at the sandbox itself?)' };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD' && !req.is('application/json')) {
    return { status: 415, error: 'admin writes take a JSON body: send content-type: application/json (an empty one is {})' };
  }
  return null;
}

export function adminRouter(sandbox: AdminControls): express.Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const refused = adminRefusal(req);
    if (!refused) return next();
    res.status(refused.status).json({ error: refused.error });
  });
  router.get('/deliveries', (_req, res) => void res.json(sandbox.dispatcher.list().map(deliveryView)));
  router.post('/deliveries/:id/resend', async (req, res) => {
    const attempt = await sandbox.dispatcher.resend(String(req.params.id));
    if (!attempt) res.status(404).json({ error: `no delivery ${req.params.id}` });
    else res.json(attempt);
  });
  router.put('/webhook-url', (req, res) => {
    try {
      sandbox.setWebhookUrl((req.body as { url?: string | null } | undefined)?.url ?? null);
      res.json({ url: sandbox.webhookUrl?.href ?? null });
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
    }
  });
  router.post('/sdk-sessions', (req, res) => {
    const { user_ref, status } = (req.body ?? {}) as { user_ref?: string; status?: string };
    res.status(201).json(deliveryView(sandbox.completeSession(user_ref, status === 'NOT-VERIFIED' ? 'NOT-VERIFIED' : 'VERIFIED')));
  });
  router.post('/workflows', (req, res) => {
    const outcome = (req.body as { outcome?: string } | undefined)?.outcome ?? 'completed';
    if (outcome !== 'completed' && outcome !== 'failed' && outcome !== 'manual_review') {
      res.status(400).json({ error: 'outcome is completed, failed or manual_review' });
      return;
    }
    res.status(201).json(deliveryView(sandbox.raise(`workflow.process.${outcome}`)));
  });
  router.post('/watchlist', (_req, res) => void res.status(201).json(deliveryView(sandbox.raise('watchlist.identity_flagged'))));
  return router;
}

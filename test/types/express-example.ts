/**
 * The README's middleware example, in TypeScript: `npm run typecheck` compiles it, so `req.identitypass`
 * is typed on express's own Request (no cast) and the key may come from IDPASS_PUBLIC_KEY.
 */
import express from 'express';
import { identitypassWebhook } from '../../src/index.js';

const app = express();
app.post('/webhooks/identitypass', identitypassWebhook(), (req, res) => {
  const delivery = req.identitypass;
  const event: string | null | undefined = delivery?.classification.event;
  const key: 'sandbox' | 'live' | null | undefined = delivery?.verification.key;
  res.status(200).json({ event, key });
});
app.use(express.json());

export default app;

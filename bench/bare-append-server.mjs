// The durability baseline: bare express that appends each raw body to a file before answering 200,
// the least any "record before answer" listener must pay. No group commit, no fsync (idpass has none either).
import { open } from 'node:fs/promises';
import express from 'express';

const file = process.argv[2];
const handle = await open(file, 'a', 0o600);
const newline = Buffer.from('\n');
const app = express();
app.post('/{*path}', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
  await handle.write(Buffer.concat([req.body, newline]));
  res.status(200).json({ received: true });
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => handle.close().then(() => process.exit(0))));

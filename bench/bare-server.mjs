// The baseline: a bare express server that answers 200 to every POST, as fast as express goes.
import express from 'express';

const app = express();
app.post('/{*path}', express.raw({ type: () => true, limit: '10mb' }), (req, res) => res.status(200).json({ received: true }));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

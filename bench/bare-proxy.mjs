// A second baseline: the least a forwarding hop can cost here — express reading the raw body and
// passing it to the app over a kept-alive connection, with no verification, store or output.
import http from 'node:http';
import express from 'express';

const target = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const app = express();
app.post('/{*path}', express.raw({ type: () => true, limit: '10mb' }), (req, res) => {
  const out = http.request(
    target,
    { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': req.body.length } },
    (reply) => {
      const chunks = [];
      reply.on('data', (c) => chunks.push(c));
      reply.on('end', () => res.status(reply.statusCode).end(Buffer.concat(chunks)));
    },
  );
  out.on('error', () => res.status(502).end());
  out.end(req.body);
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

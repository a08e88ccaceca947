// The team ingest baseline for bench/relay-team: a bare express app that commits the same row into
// the same PostgreSQL (the channel's counter bumped and the delivery inserted in one transaction)
// before it answers 200. Prints its port.
import express from 'express';
import { headerPairs } from '../dist/core/receive/app.js';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.argv[2], max: 16 });
await pool.query(`CREATE TABLE IF NOT EXISTS bare_channels (id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL DEFAULT 0)`);
await pool.query(`CREATE TABLE IF NOT EXISTS bare_deliveries (channel_id TEXT NOT NULL, seq BIGINT NOT NULL, received_at TIMESTAMPTZ NOT NULL,
  method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, headers TEXT NOT NULL, body BYTEA NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (channel_id, seq))`);
await pool.query(`INSERT INTO bare_channels (id) VALUES ('bench') ON CONFLICT DO NOTHING`);
const app = express();
app.post('/in/:channel/*rest', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
  const headers = headerPairs(req);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`UPDATE bare_channels SET last_seq = last_seq + 1 WHERE id = 'bench' RETURNING last_seq`);
    await client.query('INSERT INTO bare_deliveries VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      'bench',
      rows[0].last_seq,
      new Date().toISOString(),
      req.method,
      req.path,
      '',
      JSON.stringify(headers),
      req.body,
      req.body.length,
    ]);
    await client.query('COMMIT');
    res.json({ received: true });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    res.status(503).json({ error: error.message });
  } finally {
    client.release();
  }
});
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));

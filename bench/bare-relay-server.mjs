// The ingest baseline for bench/relay: a bare express app that commits the same row into a SQLite
// file (same driver, same pragmas, same table) before it answers 200. Prints its port.
import express from 'express';
import { headerPairs } from '../dist/core/receive/app.js';
import { join } from 'node:path';
import { openSqlite } from '../dist/core/relay/sqlite-driver.js';

const db = await openSqlite(join(process.argv[2], 'bare.sqlite'));
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS deliveries (channel_id TEXT NOT NULL, seq INTEGER NOT NULL, received_at TEXT NOT NULL,
  method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, size INTEGER NOT NULL,
  PRIMARY KEY (channel_id, seq))`);
const insert = db.prepare('INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
let seq = 0;
const app = express();
app.post('/in/:channel/*rest', express.raw({ type: () => true, limit: '10mb' }), (req, res) => {
  const headers = headerPairs(req);
  db.exec('BEGIN IMMEDIATE');
  insert.run(
    req.params.channel,
    ++seq,
    new Date().toISOString(),
    req.method,
    req.path,
    '',
    JSON.stringify(headers),
    req.body,
    req.body.length,
  );
  db.exec('COMMIT');
  res.json({ received: true });
});
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));

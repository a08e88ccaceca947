import { parentPort } from 'node:worker_threads';
import { parseBody } from '../../core/delivery/describe.js';
import type { Delivery } from '../../core/delivery/types.js';
import { deliveryLine } from './delivery-json.js';

/**
 * The NDJSON line of a large delivery, made off the listener's thread: parsing a 6 MB body of
 * 400,000 keys again and walking it for the redacted copy took 0.9 s there, while small
 * deliveries waited to be answered. The delivery comes without its parsed body; it is parsed here.
 */
parentPort?.on('message', ({ n, delivery, showPii }: { n: number; delivery: Delivery; showPii: boolean }) => {
  let line: string;
  try {
    const body = delivery.body ? Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength) : null;
    const parsed = body ? parseBody(body, delivery.headers) : null;
    line = deliveryLine({ ...delivery, body, json: parsed?.json }, showPii);
  } catch (error) {
    line = deliveryLine({ ...delivery, json: undefined, notes: [...delivery.notes, `not rendered: ${(error as Error).message}`] }, showPii);
  }
  parentPort!.postMessage({ n, line });
});

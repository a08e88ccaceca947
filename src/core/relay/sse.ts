/**
 * Server-sent events read off a byte stream: an event ends at a blank line. Chunks are kept as
 * they come and joined once per event, so a 13 MB event costs one copy, not one per chunk; an
 * event past `maxEventBytes` ends the stream with an error instead of growing without bound.
 */

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

function parseEvent(text: string): SseEvent | null {
  let event = 'message';
  let id: string | null = null;
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 || id !== null ? { event, id, data: data.join('\n') } : null;
}

export async function* sseEvents(body: AsyncIterable<Uint8Array>, maxEventBytes: number): AsyncGenerator<SseEvent> {
  let parts: Buffer[] = [];
  let length = 0;
  const endsWithBreak = () => parts.length > 0 && parts[parts.length - 1]![parts[parts.length - 1]!.length - 1] === 0x0a;
  for await (const raw of body) {
    let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    while (chunk.length > 0) {
      // where this event's text ends in the chunk, and where the next one starts
      let end = -1;
      let next = -1;
      if (chunk[0] === 0x0a && endsWithBreak()) {
        end = 0;
        next = 1;
      } else {
        const at = chunk.indexOf('\n\n');
        if (at >= 0) {
          end = at + 1;
          next = at + 2;
        }
      }
      if (end < 0) {
        parts.push(chunk);
        length += chunk.length;
        if (length > maxEventBytes) throw new Error(`an event of the stream is over ${maxEventBytes} bytes`);
        break;
      }
      parts.push(chunk.subarray(0, end));
      const text = Buffer.concat(parts).toString('utf8');
      parts = [];
      length = 0;
      chunk = chunk.subarray(next);
      const event = parseEvent(text);
      if (event) yield event;
    }
  }
}

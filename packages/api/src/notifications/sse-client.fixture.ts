import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** For tests: one Server-Sent Events connection, parsed as it arrives. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

export interface SseClient {
  status: Promise<number>;
  headers: Promise<IncomingHttpHeaders>;
  events: SseEvent[];
  /** Comment lines (keep-alives), without the leading colon. */
  comments: string[];
  /** The whole body so far (for non-stream answers, e.g. a JSON error). */
  body(): string;
  ended: Promise<void>;
  /** Resolves once at least `count` events arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): SseClient {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let raw = '';
  let pending = '';
  let fields: SseEvent = { id: null, event: 'message', data: '' };
  const onLine = (line: string) => {
    if (line === '') {
      if (fields.data !== '' || fields.id !== null) events.push({ ...fields, data: fields.data.replace(/\n$/, '') });
      fields = { id: null, event: 'message', data: '' };
    } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else {
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'id') fields.id = value;
      else if (name === 'event') fields.event = value;
      else if (name === 'data') fields.data += `${value}\n`;
    }
  };
  const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  const ended = response.then(
    (res) =>
      new Promise<void>((resolve) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          raw += chunk;
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop()!;
          lines.forEach(onLine);
        });
        res.on('close', resolve);
      }),
    () => {},
  );
  req.end();
  return {
    status: response.then((r) => r.statusCode!),
    headers: response.then((r) => r.headers),
    events,
    comments,
    body: () => raw,
    ended,
    async waitForEvents(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events within ${timeoutMs} ms, got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return events;
    },
    close: () => req.destroy(),
  };
}

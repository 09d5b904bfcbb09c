import { createServer } from 'node:http';

/** A local OTLP/HTTP endpoint that accepts every export and keeps only counts (the tracing-cost scenario). */
export interface SpanSink {
  url: string;
  requests: number;
  bytes: number;
  stop(): Promise<void>;
}

export async function startSpanSink(): Promise<SpanSink> {
  const sink = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (sink.bytes += chunk.length));
    req.on('end', () => {
      sink.requests += 1;
      // an empty body is a valid (empty) ExportTraceServiceResponse in protobuf
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

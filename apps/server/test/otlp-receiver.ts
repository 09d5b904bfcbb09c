import { createServer, type Server } from 'node:http';
import type { SpanRecord } from './trace-journey';

/**
 * For tests: an OTLP/HTTP trace receiver on a free loopback port. It accepts `POST /v1/traces`
 * in both encodings (`application/x-protobuf` and `application/json`), decodes the spans and
 * remembers which encodings it saw.
 */
export interface OtlpReceiver {
  url: string;
  spans: SpanRecord[];
  encodings: Set<'protobuf' | 'json'>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: SpanRecord[] = [];
  const encodings = new Set<'protobuf' | 'json'>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const json = (req.headers['content-type'] ?? '').includes('json');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        spans.push(...(json ? fromJson(JSON.parse(body.toString()) as OtlpJson) : fromProtobuf(body)));
        encodings.add(json ? 'json' : 'protobuf');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    encodings,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- OTLP/JSON (ids are hex strings, enums numbers, 64-bit integers strings)

interface JsonValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value: JsonValue;
}
interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: JsonKeyValue[];
        events?: { name: string }[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

const jsonValue = (v: JsonValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const jsonAttributes = (kvs: JsonKeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, jsonValue(kv.value)]));

function fromJson(body: OtlpJson): SpanRecord[] {
  return (body.resourceSpans ?? []).flatMap((rs) => {
    const service = String(jsonAttributes(rs.resource?.attributes)['service.name']);
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId || undefined,
        name: s.name,
        service,
        attributes: jsonAttributes(s.attributes),
        events: (s.events ?? []).map((e) => e.name),
        error: s.status?.code === 2,
        startMs: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000,
        durationMs: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6,
      })),
    );
  });
}

// ---- OTLP/protobuf: a reader for the few fields the tests look at (protobuf wire format)

type Field = { no: number; varint?: bigint; bytes?: Buffer; fixed?: bigint };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, varint: varint() });
    else if (wire === 1) {
      out.push({ no, fixed: buf.readBigUInt64LE(pos) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const all = (fs: Field[], no: number) => fs.filter((f) => f.no === no);
const one = (fs: Field[], no: number) => fs.find((f) => f.no === no);
const text = (f: Field | undefined) => f?.bytes?.toString('utf8') ?? '';

function anyValue(buf: Buffer): unknown {
  const f = fields(buf)[0];
  if (!f) return undefined;
  if (f.no === 1) return text(f); // string_value
  if (f.no === 2) return f.varint === 1n; // bool_value
  if (f.no === 3) return Number(BigInt.asIntN(64, f.varint!)); // int_value
  if (f.no === 4) return f.fixed === undefined ? undefined : Buffer.from(new BigUint64Array([f.fixed]).buffer).readDoubleLE(0); // double_value
  return undefined;
}

function keyValues(fs: Field[]): Record<string, unknown> {
  return Object.fromEntries(
    fs.map((f) => {
      const kv = fields(f.bytes!);
      const value = one(kv, 2)?.bytes;
      return [text(one(kv, 1)), value ? anyValue(value) : undefined];
    }),
  );
}

function fromProtobuf(body: Buffer): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const rs of all(fields(body), 1)) {
    const resourceSpans = fields(rs.bytes!);
    const resource = one(resourceSpans, 1)?.bytes;
    const service = String(keyValues(resource ? all(fields(resource), 1) : [])['service.name']);
    for (const ss of all(resourceSpans, 2)) {
      for (const sp of all(fields(ss.bytes!), 2)) {
        const s = fields(sp.bytes!);
        const parent = one(s, 4)?.bytes;
        const start = one(s, 7)?.fixed ?? 0n;
        const end = one(s, 8)?.fixed ?? 0n;
        const status = one(s, 15)?.bytes;
        spans.push({
          traceId: one(s, 1)!.bytes!.toString('hex'),
          spanId: one(s, 2)!.bytes!.toString('hex'),
          parentSpanId: parent && parent.length > 0 ? parent.toString('hex') : undefined,
          name: text(one(s, 5)),
          service,
          attributes: keyValues(all(s, 9)),
          events: all(s, 11).map((e) => text(one(fields(e.bytes!), 2))),
          error: status ? one(fields(status), 3)?.varint === 2n : false,
          startMs: Number(start / 1000n) / 1000,
          durationMs: Number(end - start) / 1e6,
        });
      }
    }
  }
  return spans;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, type ErrorBody } from '@pizza/contracts';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, body: ErrorBody): void {
  sendJson(res, status, body);
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/**
 * Reads and parses a JSON request body, refusing more than `limit` bytes (413) before
 * buffering them, and malformed JSON (400). An empty body reads as undefined.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () =>
    new BodyError(413, { code: 'PAYLOAD_TOO_LARGE', message: `Request body exceeds ${limit} bytes` });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain so the connection can answer
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, {
      code: 'VALIDATION_ERROR',
      message: `Request body is not valid JSON: ${(error as Error).message}`,
    });
  }
}

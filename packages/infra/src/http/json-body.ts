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
 * How deep arrays and objects may nest in a request body. Every body the API takes is a few levels
 * deep; thousands of levels (`[[[[…]]]]` fits in 64 KiB) overflow the stack of the recursive code
 * that later walks the value (the adapters' JSON.stringify), which was a 500.
 */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Reads and parses a JSON request body, refusing more than `limit` bytes (413) before
 * buffering them, and malformed JSON or nesting deeper than MAX_JSON_DEPTH (400). An empty body
 * reads as undefined.
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
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new BodyError(400, {
      code: 'VALIDATION_ERROR',
      message: `Request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, {
      code: 'VALIDATION_ERROR',
      message: `Request body is not valid JSON: ${(error as Error).message}`,
    });
  }
}

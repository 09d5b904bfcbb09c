/**
 * The trace each handled bus message ran in, set by the traced bus, so the stream duration
 * histogram can carry the trace id as an exemplar. Weak: forgotten with the message.
 */
const traceIds = new WeakMap<object, string>();

export function rememberTraceId(message: object, traceId: string): void {
  traceIds.set(message, traceId);
}

/** `{ trace_id }` for a message handled inside a sampled span, else undefined. */
export function traceExemplarOf(message: object): Record<string, string> | undefined {
  const traceId = traceIds.get(message);
  return traceId === undefined ? undefined : { trace_id: traceId };
}

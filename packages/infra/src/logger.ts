import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines with `service` on every line; child loggers add `orderId`, `eventId`, `reqId`. */
export function createLogger(service: string, level: string = 'info', fields?: () => Record<string, string>): Logger {
  return pino({
    level,
    base: { service },
    // with tracing on: `trace_id` and `span_id` of the span the line is written in
    ...(fields ? { mixin: fields } : {}),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines with `service` on every line; child loggers add `orderId`, `eventId`, `reqId`. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

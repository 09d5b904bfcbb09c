import { z } from 'zod';

/** A delay in milliseconds given as `"min-max"` or a single number. */
export interface DelayRange {
  min: number;
  max: number;
}

/** Timers cannot wait longer than 2^31-1 ms; a simulated step of more than a day is a typo. */
const MAX_DELAY_MS = 86_400_000;

const delayRange = z
  .string()
  .trim()
  .transform((raw, ctx): DelayRange => {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(raw);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected milliseconds as "min-max" or a number, got "${raw}"` });
      return z.NEVER;
    }
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : Number(m[2]);
    if (max < min) {
      ctx.addIssue({ code: 'custom', message: `max (${max}) is below min (${min})` });
      return z.NEVER;
    }
    if (max > MAX_DELAY_MS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_DELAY_MS} ms (24 h), got ${max}` });
      return z.NEVER;
    }
    return { min, max };
  });

/** Comma-separated origins (`https://shop.example.com`), each normalised to scheme://host[:port]. */
const originList = z
  .string()
  .transform((raw, ctx): string[] => {
    const origins: string[] = [];
    for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
      let url: URL | null = null;
      try {
        url = new URL(entry);
      } catch {
        // reported below
      }
      const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if (!url || !bare || !/^https?:$/.test(url.protocol)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin like https://shop.example.com (scheme, host, optional port; no path)` });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return origins;
  });

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const ConfigSchema = z.object({
  PORT: int(0, 65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|mongodb(\+srv)?:\/\/.+)$/, 'expected sqlite:<path> or mongodb://…')
    .default('sqlite:./.data/pizza.db'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'expected redis://host:port')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIM_CONFIRM_DELAY_MS: delayRange.prefault('3000-6000'),
  SIM_PREPARE_DELAY_MS: delayRange.prefault('8000-14000'),
  SIM_PICKUP_DELAY_MS: delayRange.prefault('5000-9000'),
  SIM_TRANSIT_DELAY_MS: delayRange.prefault('15000-25000'),
  SIM_CONCURRENCY: int(1, 10_000).default(500),
  WS_PING_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  WS_IDLE_TIMEOUT_MS: int(200, 7_200_000).default(60_000),
  WS_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
  WS_MAX_BUFFERED_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** A client must send all request headers within this (slowloris guard). */
  HTTP_HEADERS_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  /** …and the whole request, body included, within this. */
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(30_000),
  /** Origins besides the app's own whose pages may open live streams; unset: localhost pages too (development). */
  ALLOWED_ORIGINS: originList.optional(),
  STREAM_CLAIM_IDLE_MS: int(50, 3_600_000).default(30_000),
  STREAM_MAXLEN: int(100, 100_000_000).default(100_000),
  STREAM_CONCURRENCY: int(1, 10_000).default(64),
  /** Bearer token the operations API (/api/v1/admin) requires; unset: loopback clients only. */
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').max(512).optional(),
  /** The built web app the all-in-one process serves (defaults to apps/web/dist). */
  WEB_DIST_DIR: z.string().optional(),
}).refine((c) => c.HTTP_REQUEST_TIMEOUT_MS >= c.HTTP_HEADERS_TIMEOUT_MS, {
  message: 'HTTP_REQUEST_TIMEOUT_MS must not be shorter than HTTP_HEADERS_TIMEOUT_MS',
  path: ['HTTP_REQUEST_TIMEOUT_MS'],
}).refine((c) => c.WS_IDLE_TIMEOUT_MS > c.WS_PING_INTERVAL_MS, {
  message: 'WS_IDLE_TIMEOUT_MS must be longer than WS_PING_INTERVAL_MS (a client gets a ping before it is dropped)',
  path: ['WS_IDLE_TIMEOUT_MS'],
});

export type Config = z.infer<typeof ConfigSchema>;

/** Every variable the services read and validate (deployment manifests are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(ConfigSchema.shape);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment once at start. A bad value throws a ConfigError whose message names
 * every offending variable, so the entry point can print it and exit.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** A uniformly random delay within the range. */
export function drawDelay(range: DelayRange, random: () => number = Math.random): number {
  return range.min + Math.floor(random() * (range.max - range.min + 1));
}

/** The standard `OTEL_*` variables, passed as they are to the tracing setup, which reads them as OpenTelemetry defines them. */
export function tracingEnv(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('OTEL_')));
}

import { z } from 'zod';

export const HealthCheck = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

export const HealthReport = z.object({
  status: z.enum(['ok', 'error']),
  service: z.string(),
  checks: z.record(z.string(), HealthCheck),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** One running instance of a service as it last reported itself. */
export const ServiceStatus = HealthReport.extend({
  /** Unique per process: `<service>-<host>-<pid>`. */
  instance: z.string(),
  /** When the instance last reported. */
  at: z.iso.datetime({ offset: true }),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** `GET /api/v1/health/services`: every live instance of every service. */
export const ServicesReport = z.object({ services: z.array(ServiceStatus) });
export type ServicesReport = z.infer<typeof ServicesReport>;

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

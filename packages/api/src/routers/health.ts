import { TRPCError } from '@trpc/server';
import { HealthReport } from '@pizza/contracts';
import { publicProcedure } from '../trpc';

/** The same report as `GET /api/v1/health` (REST serves that one with 200/503). */
export const healthProcedure = publicProcedure.output(HealthReport).query(({ ctx }) => {
  if (!ctx.health) throw new TRPCError({ code: 'NOT_IMPLEMENTED', message: 'No health checks in this process' });
  return ctx.health();
});

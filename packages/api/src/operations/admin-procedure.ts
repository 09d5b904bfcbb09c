import { TRPCError } from '@trpc/server';
import type { AppError } from '../app-error';
import { publicProcedure } from '../trpc';
import type { AdminCaller } from './admin-auth';
import type { Operations } from './operations';

/** What an admin procedure reaches: the operations, and who called (or why they may not). */
export interface AdminContext {
  operations: Operations;
  caller: AdminCaller | AppError;
}

/** Every admin procedure checks the caller first, before its input is even read. */
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  const admin = ctx.admin;
  if (!admin) throw new TRPCError({ code: 'NOT_IMPLEMENTED', message: 'The operations API does not run in this process' });
  if (typeof admin.caller !== 'string') throw admin.caller;
  return next({ ctx: { operations: admin.operations, who: admin.caller } });
});

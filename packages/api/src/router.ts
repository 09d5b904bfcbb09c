import { router } from './trpc';
import { healthProcedure } from './routers/health';
import { menuRouter } from './routers/menu';
import { ordersRouter } from './routers/orders';
import { adminRouter } from './operations/admin-router';

export const appRouter = router({
  menu: menuRouter,
  orders: ordersRouter,
  health: healthProcedure,
  admin: adminRouter,
});

/** The type the web app imports (types only) for its typed client. */
export type AppRouter = typeof appRouter;

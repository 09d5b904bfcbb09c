import { router } from './trpc';
import { healthProcedure } from './routers/health';
import { menuRouter } from './routers/menu';
import { ordersRouter } from './routers/orders';

export const appRouter = router({
  menu: menuRouter,
  orders: ordersRouter,
  health: healthProcedure,
});

/** The type the web app imports (types only) for its typed client. */
export type AppRouter = typeof appRouter;

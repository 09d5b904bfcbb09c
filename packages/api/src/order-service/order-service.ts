import { isOrderId, type CreateOrderCommand, type MenuItem, type Order } from '@pizza/contracts';
import type { Logger, Metrics, Storage } from '@pizza/infra';
import { AppError } from '../app-error';
import { createMenuCache, type MenuSnapshot } from './menu-cache';
import { placeOrder } from './place-order';

export interface OrderServiceDeps {
  storage: Storage;
  metrics: Metrics;
  logger: Logger;
  /** Nudges the outbox relay after an order commits. */
  afterCommit: () => void;
  menuTtlMs?: number;
}

/** What the order service's API does, independent of the transport (tRPC, REST). */
export function createOrderService(deps: OrderServiceDeps) {
  const menu = createMenuCache(deps.storage, deps.menuTtlMs);
  return {
    menuSnapshot(): Promise<MenuSnapshot> {
      return menu.get();
    },
    /** The menu snapshot when a fresh one is loaded, else null (then `menuSnapshot()` loads it). */
    freshMenuSnapshot(): MenuSnapshot | null {
      return menu.peek();
    },
    async listMenu(): Promise<MenuItem[]> {
      return (await menu.get()).items;
    },
    async getMenuItem(id: string): Promise<MenuItem> {
      const item = (await menu.get()).items.find((i) => i.id === id);
      if (!item) throw new AppError('NOT_FOUND', `Menu item "${id}" does not exist`);
      return item;
    },
    /** An operator's restock; this process's menu snapshot drops at once, other replicas' within their TTL. */
    async setStock(id: string, stock: number): Promise<MenuItem> {
      const item = await deps.storage.setStock(id, stock);
      menu.invalidate();
      if (!item) throw new AppError('NOT_FOUND', `Menu item "${id}" does not exist`);
      return item;
    },
    /** Counts an order refused before it reached storage (validation, size). */
    recordRejection(reason: 'validation' | 'too_large'): void {
      deps.metrics.ordersRejected.inc({ reason });
    },
    async placeOrder(command: CreateOrderCommand, idempotencyKey?: string, reqId?: string) {
      const result = await placeOrder(
        {
          storage: deps.storage,
          metrics: deps.metrics,
          afterCommit: () => {
            menu.invalidate();
            deps.afterCommit();
          },
        },
        command,
        idempotencyKey,
      ).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE') {
          // the driver's words stay here; the client gets 503 and Retry-After
          deps.logger.warn({ err: (error.cause as Error).cause, reqId }, 'order not placed: storage unavailable');
        }
        throw error;
      });
      const { order, replayed } = result;
      deps.logger.info(
        { orderId: order.id, reqId, replayed, totalCents: order.totalCents, simulate: order.simulate },
        replayed ? 'order replayed (same Idempotency-Key)' : 'order placed',
      );
      return result;
    },
    async getOrder(id: string): Promise<Order> {
      // ids are stored lowercase; an uppercase spelling of a UUID names the same order
      const order = isOrderId(id) ? await deps.storage.getOrder(id.toLowerCase()) : null;
      if (!order) throw new AppError('NOT_FOUND', `Order "${id}" does not exist`);
      return order;
    },
  };
}

export type OrderService = ReturnType<typeof createOrderService>;

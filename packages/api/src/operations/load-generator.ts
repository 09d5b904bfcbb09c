import { CreateOrderInput, type CreateOrderCommand, type LoadRequest, type LoadRun, type MenuItem } from '@pizza/contracts';
import type { Logger } from '@pizza/infra';
import { AppError } from '../app-error';

export interface LoadGeneratorDeps {
  listMenu: () => Promise<MenuItem[]>;
  placeOrder: (command: CreateOrderCommand) => Promise<unknown>;
  logger: Logger;
}

const TICK_MS = 50;
/** Orders in flight at once; beyond it the generator falls behind (and the achieved rate shows it). */
const MAX_IN_FLIGHT = 256;

const CUSTOMER = { name: 'Load Generator', phone: '+1 555 0100', address: '1 Benchmark Avenue' };

/**
 * Simulated customers: places `ordersPerSecond × durationSeconds` orders through the order
 * service, evenly spread, one run at a time. Rejections (out of stock, …) and unexpected errors
 * are counted apart.
 */
export function createLoadGenerator(deps: LoadGeneratorDeps) {
  let run: (LoadRun & { total: number; issued: number; inFlight: number; timer: NodeJS.Timeout | null; startedMs: number; endedMs: number | null }) | null = null;

  const view = (): LoadRun => {
    const r = run!;
    const elapsed = Math.max(0.001, ((r.endedMs ?? Date.now()) - r.startedMs) / 1000);
    const { running, ordersPerSecond, durationSeconds, startedAt, endsAt, placed, rejected, errors } = r;
    return { running, ordersPerSecond, durationSeconds, startedAt, endsAt, placed, rejected, errors, achievedPerSecond: Math.round((placed / elapsed) * 100) / 100 };
  };

  const finish = () => {
    const r = run!;
    if (r.timer) clearInterval(r.timer);
    r.timer = null;
    if (r.inFlight === 0 && r.running) {
      r.running = false;
      r.endedMs = Date.now();
      deps.logger.info(view(), 'load run finished');
    }
  };

  const placeOne = async (menu: MenuItem[], maxItems: number) => {
    const r = run!;
    const count = 1 + Math.floor(Math.random() * maxItems);
    const picked = [...menu].sort(() => Math.random() - 0.5).slice(0, count);
    r.inFlight++;
    try {
      await deps.placeOrder(CreateOrderInput.parse({ customer: CUSTOMER, items: picked.map((i) => ({ menuItemId: i.id, quantity: 1 })), simulate: true }));
      r.placed++;
    } catch (error) {
      if (error instanceof AppError) r.rejected++;
      else {
        r.errors++;
        deps.logger.warn({ err: error }, 'load generator: order failed');
      }
    } finally {
      r.inFlight--;
      if (r.timer === null) finish();
    }
  };

  return {
    async start(request: LoadRequest): Promise<LoadRun> {
      if (run?.running) throw new AppError('CONFLICT', 'A load run is already running; stop it first (DELETE /api/v1/admin/load)');
      const menu = await deps.listMenu();
      const now = Date.now();
      const total = Math.max(1, Math.round(request.ordersPerSecond * request.durationSeconds));
      run = {
        running: true, ordersPerSecond: request.ordersPerSecond, durationSeconds: request.durationSeconds,
        startedAt: new Date(now).toISOString(), endsAt: new Date(now + request.durationSeconds * 1000).toISOString(),
        placed: 0, rejected: 0, errors: 0, achievedPerSecond: 0,
        total, issued: 0, inFlight: 0, timer: null, startedMs: now, endedMs: null,
      };
      const current = run;
      current.timer = setInterval(() => {
        const due = Math.min(current.total, Math.floor(((Date.now() - current.startedMs) / 1000) * current.ordersPerSecond) + 1);
        while (current.issued < due && current.inFlight < MAX_IN_FLIGHT) {
          current.issued++;
          void placeOne(menu, request.maxItemsPerOrder);
        }
        if (current.issued >= current.total || Date.now() >= current.startedMs + request.durationSeconds * 1000 + 5_000) finish();
      }, TICK_MS);
      current.timer.unref();
      return view();
    },
    current(): LoadRun {
      if (!run) throw new AppError('NOT_FOUND', 'No load run yet in this process');
      return view();
    },
    stop(): void {
      if (!run) return;
      run.total = run.issued;
      finish();
    },
  };
}

import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { EventBus } from './event-bus';
import { createMemoryBus } from './memory-bus';
import { createRedisBus } from './redis-bus';
import { createRedisInspection } from './redis-inspection';
import type { BusInspection } from './bus-inspection';

export interface CreateBusOptions {
  /** REDIS_URL: Redis Streams when set, the in-process bus otherwise (embedded topology). */
  redisUrl?: string;
  logger: Logger;
  metrics: Metrics;
  claimIdleMs?: number;
  maxLen?: number;
}

/** The bus, with the operator's view of it (closed with the bus). */
export type InspectableBus = EventBus & { inspection: BusInspection };

export function createBus(options: CreateBusOptions): InspectableBus {
  const { redisUrl, logger, metrics, claimIdleMs, maxLen } = options;
  if (!redisUrl) return createMemoryBus({ logger, metrics, claimIdleMs, maxLen });
  const bus = createRedisBus({ url: redisUrl, logger, metrics, claimIdleMs, maxLen });
  const inspection = createRedisInspection(redisUrl);
  return {
    ...bus,
    inspection,
    close: async () => {
      await bus.close();
      await inspection.close();
    },
  };
}

import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { EventBus } from './event-bus';
import { createMemoryBus } from './memory-bus';
import { createRedisBus } from './redis-bus';

export interface CreateBusOptions {
  /** REDIS_URL: Redis Streams when set, the in-process bus otherwise (embedded topology). */
  redisUrl?: string;
  logger: Logger;
  metrics: Metrics;
  claimIdleMs?: number;
  maxLen?: number;
}

export function createBus(options: CreateBusOptions): EventBus {
  const { redisUrl, logger, metrics, claimIdleMs, maxLen } = options;
  return redisUrl
    ? createRedisBus({ url: redisUrl, logger, metrics, claimIdleMs, maxLen })
    : createMemoryBus({ logger, metrics, claimIdleMs, maxLen });
}

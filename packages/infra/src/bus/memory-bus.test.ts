import { DeadLetter, STREAMS } from '@pizza/contracts';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { describeBusContract } from './bus.contract';
import { createMemoryBus } from './memory-bus';

describeBusContract('in-process bus', async ({ claimIdleMs, gaugeIntervalMs }) => {
  const metrics = createMetrics('bus-test');
  const bus = createMemoryBus({ logger: createLogger('bus-test', 'silent'), metrics, claimIdleMs, gaugeIntervalMs });
  return {
    bus,
    metrics,
    pendingCount: async (stream, group) => bus.groupStats(stream, group).pending,
    deadLetters: async () => bus.entries(STREAMS.deadLetters).map((entry) => DeadLetter.parse(JSON.parse(entry.data))),
  };
});

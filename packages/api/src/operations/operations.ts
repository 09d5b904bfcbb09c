import { FAULT_PARAMS, type CreateOrderCommand, type Fault, type FaultName, type FaultRequest, type LoadRequest, type MenuItem, type PipelineSnapshot, type RedriveMatching } from '@pizza/contracts';
import type { BusInspection, EventBus, FaultStore, JourneyStore, Logger, Metrics, TimingsBoard } from '@pizza/infra';
import { Counter } from 'prom-client';
import { createDeadLetterTools } from './dead-letter-tools';
import { createLoadGenerator } from './load-generator';
import { createJourneyTools } from './order-journeys';
import { createPipelineSnapshots } from './pipeline-snapshot';
import type { AdminCaller } from './admin-auth';

export interface OperationsDeps {
  bus: EventBus;
  inspection: BusInspection;
  /** The order service's restock (it owns the menu cache). */
  setStock: (id: string, stock: number) => Promise<MenuItem>;
  /** The load generator's customers order through these. */
  listMenu: () => Promise<MenuItem[]>;
  placeOrder: (command: CreateOrderCommand) => Promise<unknown>;
  faults: FaultStore;
  journeys: JourneyStore;
  /** Whether an order exists (a journey 404 says whether the order is unknown or only outside the window). */
  orderExists: (id: string) => Promise<boolean>;
  /** Handler timings and publish counts of every process; without it the snapshot has no handler numbers. */
  timings?: TimingsBoard;
  logger: Logger;
  metrics: Metrics;
}

/** A fault from its request; a bus outage ends after its `seconds` even if the TTL is longer. */
function faultOf(request: FaultRequest, now: number): Fault {
  const params = FAULT_PARAMS[request.name].parse(request) as Record<string, unknown>;
  const seconds = request.name === 'bus-outage' ? Math.min(request.ttlSeconds, Number(params.seconds)) : request.ttlSeconds;
  return { name: request.name, params, expiresAt: new Date(now + seconds * 1000).toISOString() };
}

/** The control room's actions; each change is logged (who, what, when) and counted. */
export function createOperations(deps: OperationsDeps) {
  const logger = deps.logger.child({ component: 'operations' });
  const actions = new Counter({
    name: 'admin_actions_total',
    help: 'Operator actions through the admin API, by action and outcome.',
    labelNames: ['action', 'outcome'] as const,
    registers: [deps.metrics.registry],
  });
  const redrivenLetters = new Counter({
    name: 'admin_dead_letters_redriven_total',
    help: 'Dead letters an operator republished to their stream (one by one or all matching).',
    registers: [deps.metrics.registry],
  });
  const deadLetters = createDeadLetterTools(deps.bus, deps.inspection);
  const pipeline = createPipelineSnapshots({ inspection: deps.inspection, deadLetters: () => deadLetters.count(), ...(deps.timings ? { timings: deps.timings } : {}) });
  const load = createLoadGenerator({ listMenu: deps.listMenu, placeOrder: deps.placeOrder, logger });
  const journeys = createJourneyTools(deps.journeys, deps.orderExists);

  const audited = async <T>(
    who: AdminCaller,
    action: string,
    target: Record<string, unknown>,
    work: () => Promise<T>,
    outcomeOf: (result: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> => {
    try {
      const result = await work();
      actions.inc({ action, outcome: 'ok' });
      logger.info({ audit: true, who, action, ...target, outcome: 'ok', ...outcomeOf(result) }, `admin ${action}`);
      return result;
    } catch (error) {
      actions.inc({ action, outcome: 'refused' });
      logger.warn({ audit: true, who, action, ...target, outcome: 'refused', reason: (error as Error).message }, `admin ${action} refused`);
      throw error;
    }
  };

  return {
    pipeline: (): Promise<PipelineSnapshot> => pipeline(),
    listDeadLetters: deadLetters.list,
    redrive: (who: AdminCaller, id: string) =>
      audited(who, 'redrive', { deadLetterId: id }, async () => {
        const redriven = await deadLetters.redrive(id);
        redrivenLetters.inc();
        return redriven;
      }, (r) => ({ republishedAs: r.republishedAs })),
    redriveMatching: (who: AdminCaller, filter: RedriveMatching) =>
      audited(who, 'redrive-all', { filter }, async () => {
        const result = await deadLetters.redriveMatching(filter);
        redrivenLetters.inc(result.redriven.length);
        return result;
      }, (r) => ({ redriven: r.redriven.length, deadLetterIds: r.redriven.map((l) => l.id), more: r.more })),
    discard: (who: AdminCaller, id: string) => audited(who, 'discard', { deadLetterId: id }, () => deadLetters.discard(id)),
    listFaults: () => deps.faults.list(),
    setFault: (who: AdminCaller, request: FaultRequest) =>
      audited(who, 'fault-on', { fault: request.name }, async () => {
        const fault = faultOf(request, Date.now());
        await deps.faults.set(fault);
        return fault;
      }),
    clearFault: (who: AdminCaller, name: FaultName) => audited(who, 'fault-off', { fault: name }, () => deps.faults.clear(name)),
    startLoad: (who: AdminCaller, request: LoadRequest) => audited(who, 'load-start', { ...request }, () => load.start(request)),
    loadRun: () => load.current(),
    stopLoad: (who: AdminCaller) => audited(who, 'load-stop', {}, async () => load.stop()),
    journey: journeys.journey,
    followJourney: journeys.follow,
    journeyStarts: journeys.starts,
    setStock: (who: AdminCaller, id: string, stock: number) => audited(who, 'set-stock', { menuItemId: id, stock }, () => deps.setStock(id, stock)),
  };
}

export type Operations = ReturnType<typeof createOperations>;

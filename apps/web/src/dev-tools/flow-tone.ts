import type { PipelineGroup } from '@pizza/contracts';

export type FlowTone = 'ok' | 'amber' | 'red';

/** Thresholds of the flow diagram and table (docs/operations.md explains them). */
export const FLOW_THRESHOLDS = {
  amber: { lag: 10, oldestPendingMs: 5_000 },
  red: { lag: 100, oldestPendingMs: 30_000 },
} as const;

/**
 * How a group is doing: red when its backlog (entries not delivered yet) reaches 100 or its oldest
 * unacknowledged entry is 30 s old; amber from 10 entries or 5 s, or while handler runs fail.
 */
export function groupTone(group: PipelineGroup): FlowTone {
  const lag = group.lag ?? 0;
  const { amber, red } = FLOW_THRESHOLDS;
  if (lag >= red.lag || group.oldestPendingMs >= red.oldestPendingMs) return 'red';
  if (lag >= amber.lag || group.oldestPendingMs >= amber.oldestPendingMs || (group.handler?.failedPerSecond ?? 0) > 0) return 'amber';
  return 'ok';
}

/** The words that say the tone without colour (edge labels, legend, table). */
export const TONE_WORDS: Record<FlowTone, string> = { ok: 'flowing', amber: 'lagging', red: 'stuck' };
/** The mark an edge label carries for each tone. */
export const TONE_MARKS: Record<FlowTone, string> = { ok: '', amber: ' ▲', red: ' ■' };

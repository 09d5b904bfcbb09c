import type { PipelineSnapshot } from '@pizza/contracts';
import { LATENCY_WINDOW_SECONDS, RATE_WINDOW_SECONDS, mergeReports, type BusInspection, type TimingsBoard } from '@pizza/infra';
import { CounterRates } from './counter-rates';

/**
 * The live pipeline: the engine's view of streams and groups (lengths, lag, pending, counters),
 * rates from its counters read over successive snapshots, and the handler timings every
 * consuming process shares, merged.
 */
export function createPipelineSnapshots(deps: { inspection: BusInspection; timings?: TimingsBoard; deadLetters: () => Promise<number> }) {
  const rates = new CounterRates();
  return async function snapshot(): Promise<PipelineSnapshot> {
    const [streams, deadLetters, reports] = await Promise.all([deps.inspection.streams(), deps.deadLetters(), deps.timings?.reports() ?? []]);
    const now = Date.now();
    const merged = mergeReports(reports);
    return {
      at: new Date(now).toISOString(),
      windows: { rateSeconds: RATE_WINDOW_SECONDS, latencySeconds: LATENCY_WINDOW_SECONDS },
      deadLetters,
      streams: streams.map((stream) => ({
        ...stream,
        perSecond: rates.rate(stream.name, stream.entriesAdded, now),
        producers: merged.producers(stream.name),
        tails: merged.tails(stream.name),
        groups: stream.groups.map((group) => ({
          ...group,
          deliveredPerSecond: group.entriesRead === null ? null : rates.rate(`${stream.name}\n${group.name}`, group.entriesRead, now),
          handler: merged.group(stream.name, group.name),
        })),
      })),
    };
  };
}

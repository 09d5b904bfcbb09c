import type { HandlerStats, PipelineProducer } from '@pizza/contracts';
import type { ReaderReport, TimingsReport } from './handler-timings';
import { mergeLatency, percentile } from './latency-histogram';

/** The reports of every process, added up per reader and per producer. */
export interface MergedTimings {
  group(stream: string, group: string): HandlerStats | null;
  /** Broadcast readers of a stream, one per service. */
  tails(stream: string): HandlerStats[];
  producers(stream: string): PipelineProducer[];
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

function statsOf(readers: { report: ReaderReport; rateWindowSeconds: number }[]): HandlerStats {
  const latency = mergeLatency(readers.map((r) => r.report.latency));
  const perSecond = (pick: (r: ReaderReport) => number) => round(readers.reduce((sum, r) => sum + pick(r.report) / r.rateWindowSeconds, 0));
  const p50 = percentile(latency, 0.5);
  const p99 = percentile(latency, 0.99);
  return {
    services: [...new Set(readers.map((r) => r.report.service))].sort(),
    instances: readers.length,
    ackedPerSecond: perSecond((r) => r.acked),
    failedPerSecond: perSecond((r) => r.failed),
    handled: latency.count,
    p50Ms: p50 === null ? null : round(p50),
    p99Ms: p99 === null ? null : round(p99),
  };
}

/** Adds up the reports: counts and histograms sum exactly, so percentiles are those of all processes together. */
export function mergeReports(reports: readonly TimingsReport[]): MergedTimings {
  const groups = new Map<string, { report: ReaderReport; rateWindowSeconds: number }[]>();
  const tails = new Map<string, Map<string, { report: ReaderReport; rateWindowSeconds: number }[]>>();
  const producers = new Map<string, Map<string, number>>();
  for (const { readers, producers: published, rateWindowSeconds } of reports) {
    for (const report of readers) {
      if (report.group !== null) {
        const key = `${report.stream}\n${report.group}`;
        groups.set(key, [...(groups.get(key) ?? []), { report, rateWindowSeconds }]);
      } else {
        const byService = tails.get(report.stream) ?? new Map();
        tails.set(report.stream, byService);
        byService.set(report.service, [...(byService.get(report.service) ?? []), { report, rateWindowSeconds }]);
      }
    }
    for (const { stream, service, published: count } of published) {
      const byService = producers.get(stream) ?? new Map<string, number>();
      producers.set(stream, byService);
      byService.set(service, (byService.get(service) ?? 0) + count / rateWindowSeconds);
    }
  }
  return {
    group: (stream, group) => {
      const found = groups.get(`${stream}\n${group}`);
      return found ? statsOf(found) : null;
    },
    tails: (stream) => [...(tails.get(stream)?.values() ?? [])].map(statsOf),
    producers: (stream) =>
      [...(producers.get(stream) ?? [])].map(([service, perSecond]) => ({ service, perSecond: round(perSecond) })).sort((a, b) => a.service.localeCompare(b.service)),
  };
}

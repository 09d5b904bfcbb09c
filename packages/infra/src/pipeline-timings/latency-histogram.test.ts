import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, bucketUpperMs, mergeLatency, percentile, type LatencySummary } from './latency-histogram';

/** A summary of these durations, built bucket by bucket. */
function summaryOf(durations: number[]): LatencySummary {
  const counts = new Map<number, number>();
  for (const ms of durations) counts.set(bucketOf(ms), (counts.get(bucketOf(ms)) ?? 0) + 1);
  return { count: durations.length, minMs: Math.min(...durations), maxMs: Math.max(...durations), buckets: [...counts].sort((a, b) => a[0] - b[0]) };
}

describe('latency histogram', () => {
  it('puts every duration in a bucket whose upper bound is at most 19 % above it', () => {
    for (const ms of [0.02, 0.5, 1, 3.3, 12, 250, 999, 42_000]) {
      const upper = bucketUpperMs(bucketOf(ms));
      expect(upper).toBeGreaterThanOrEqual(ms);
      expect(upper).toBeLessThanOrEqual(ms * 1.19);
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(10 * 60_000)).toBe(BUCKETS - 1);
  });

  it('reads p50 and p99 within one bucket of the exact nearest-rank values', () => {
    const durations = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.1); // 1.0 … 100.9 ms
    const summary = summaryOf(durations);
    const exact = (q: number) => durations[Math.ceil(q * durations.length) - 1]!;
    for (const q of [0.5, 0.99]) {
      expect(percentile(summary, q)!).toBeGreaterThanOrEqual(exact(q));
      expect(percentile(summary, q)!).toBeLessThanOrEqual(exact(q) * 1.19);
    }
  });

  it('answers the one duration itself when there is one, and null when there is none', () => {
    expect(percentile(summaryOf([7.3]), 0.5)).toBe(7.3);
    expect(percentile(summaryOf([7.3]), 0.99)).toBe(7.3);
    expect(percentile(mergeLatency([]), 0.5)).toBeNull();
  });

  it('merges summaries into the summary of all their durations', () => {
    const a = [1, 2, 3, 50];
    const b = [0.5, 4, 4, 800, 9];
    expect(mergeLatency([summaryOf(a), summaryOf(b)])).toEqual(summaryOf([...a, ...b]));
  });
});

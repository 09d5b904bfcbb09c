/**
 * Handler durations in log-scale buckets: bucket i holds durations up to MIN_MS·2^(i/4), so a
 * percentile read from it is at most ~19 % above the true value (and clamped to the observed
 * min/max). Fixed buckets make summaries from different processes add up exactly.
 */
export const BUCKETS = 96;
const MIN_MS = 0.01;
const STEPS_PER_DOUBLING = 4;

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * STEPS_PER_DOUBLING));
}

/** The largest duration bucket `index` holds. */
export function bucketUpperMs(index: number): number {
  return MIN_MS * 2 ** (index / STEPS_PER_DOUBLING);
}

/** Durations over a window, compact enough to share: only non-empty buckets, as `[index, count]`. */
export interface LatencySummary {
  count: number;
  minMs: number;
  maxMs: number;
  buckets: [number, number][];
}

export const EMPTY_LATENCY: LatencySummary = { count: 0, minMs: 0, maxMs: 0, buckets: [] };

/** Adds summaries (from several seconds, or several processes). */
export function mergeLatency(summaries: readonly LatencySummary[]): LatencySummary {
  const counts = new Map<number, number>();
  let count = 0;
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = 0;
  for (const s of summaries) {
    if (s.count === 0) continue;
    count += s.count;
    minMs = Math.min(minMs, s.minMs);
    maxMs = Math.max(maxMs, s.maxMs);
    for (const [index, n] of s.buckets) counts.set(index, (counts.get(index) ?? 0) + n);
  }
  if (count === 0) return EMPTY_LATENCY;
  return { count, minMs, maxMs, buckets: [...counts].sort((a, b) => a[0] - b[0]) };
}

/** The q-quantile (0 < q ≤ 1, nearest rank) of a summary; null when it holds nothing. */
export function percentile(summary: LatencySummary, q: number): number | null {
  if (summary.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * summary.count));
  let seen = 0;
  for (const [index, n] of summary.buckets) {
    seen += n;
    if (seen >= rank) return Math.min(summary.maxMs, Math.max(summary.minMs, bucketUpperMs(index)));
  }
  return summary.maxMs;
}

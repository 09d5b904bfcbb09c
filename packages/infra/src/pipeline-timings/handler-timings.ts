import { BUCKETS, EMPTY_LATENCY, bucketOf, type LatencySummary } from './latency-histogram';

/** Rates are counted over this many whole seconds (the one in progress excluded). */
export const RATE_WINDOW_SECONDS = 5;
/** Handler percentiles cover this many seconds. */
export const LATENCY_WINDOW_SECONDS = 60;

/** What one process measured for one reader: a group on a stream, or a broadcast tail (group null). */
export interface ReaderReport {
  stream: string;
  group: string | null;
  service: string;
  /** Handler runs that succeeded / threw within the rate window (counts, not rates, so they add up). */
  acked: number;
  failed: number;
  latency: LatencySummary;
}

/** Entries one process appended to a stream on behalf of a service, within the rate window. */
export interface ProducerReport {
  stream: string;
  service: string;
  published: number;
}

/** One process's summary, shared with the process that answers the pipeline snapshot. */
export interface TimingsReport {
  instance: string;
  /** Date.now() when it was taken. */
  at: number;
  rateWindowSeconds: number;
  readers: ReaderReport[];
  producers: ProducerReport[];
}

interface Slot {
  second: number;
  ok: number;
  failed: number;
  /** Allocated on the first duration of the slot, reused afterwards. */
  histogram: Uint32Array | null;
  minMs: number;
  maxMs: number;
}

/**
 * Per-second slots in a ring covering the latency window: recording is a few array writes, memory
 * is fixed per reader (60 slots of 96 counters), and old seconds are overwritten, never kept.
 */
export class SecondsWindow {
  private readonly slots: Slot[] = Array.from({ length: LATENCY_WINDOW_SECONDS }, () => ({ second: -1, ok: 0, failed: 0, histogram: null, minMs: 0, maxMs: 0 }));

  private slotAt(second: number): Slot {
    const slot = this.slots[second % LATENCY_WINDOW_SECONDS]!;
    if (slot.second !== second) {
      slot.second = second;
      slot.ok = 0;
      slot.failed = 0;
      slot.histogram?.fill(0);
      slot.minMs = Number.POSITIVE_INFINITY;
      slot.maxMs = 0;
    }
    return slot;
  }

  /** Counts one event at `now`; with a duration, also its latency. */
  record(now: number, ok: boolean, ms?: number): void {
    const slot = this.slotAt(Math.floor(now / 1000));
    if (ok) slot.ok++;
    else slot.failed++;
    if (ms === undefined) return;
    (slot.histogram ??= new Uint32Array(BUCKETS))[bucketOf(ms)]!++;
    if (ms < slot.minMs) slot.minMs = ms;
    if (ms > slot.maxMs) slot.maxMs = ms;
  }

  /** Successes and failures in the `RATE_WINDOW_SECONDS` whole seconds before the one in progress. */
  recent(now: number): { ok: number; failed: number } {
    const current = Math.floor(now / 1000);
    let ok = 0;
    let failed = 0;
    for (const slot of this.slots) {
      if (slot.second >= current - RATE_WINDOW_SECONDS && slot.second < current) {
        ok += slot.ok;
        failed += slot.failed;
      }
    }
    return { ok, failed };
  }

  /** The durations recorded in the last `LATENCY_WINDOW_SECONDS` seconds. */
  latency(now: number): LatencySummary {
    const current = Math.floor(now / 1000);
    const counts = new Float64Array(BUCKETS);
    let count = 0;
    let minMs = Number.POSITIVE_INFINITY;
    let maxMs = 0;
    for (const slot of this.slots) {
      if (!slot.histogram || slot.second <= current - LATENCY_WINDOW_SECONDS || slot.second > current) continue;
      const n = slot.ok + slot.failed;
      if (n === 0) continue;
      count += n;
      minMs = Math.min(minMs, slot.minMs);
      maxMs = Math.max(maxMs, slot.maxMs);
      for (let i = 0; i < BUCKETS; i++) counts[i]! += slot.histogram[i]!;
    }
    if (count === 0) return EMPTY_LATENCY;
    const buckets: [number, number][] = [];
    counts.forEach((n, i) => n > 0 && buckets.push([i, n]));
    return { count, minMs, maxMs, buckets };
  }
}

export type HandlerRecorder = (ms: number, ok: boolean) => void;

/** One process's measurements of every reader and producer it runs; `report` summarises them. */
export class HandlerTimings {
  private readonly readers = new Map<string, { stream: string; group: string | null; service: string; window: SecondsWindow }>();
  private readonly producers = new Map<string, { stream: string; service: string; window: SecondsWindow }>();

  constructor(
    private readonly instance: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Registers a reader (it is reported from now on, even before its first message) and answers its recorder. */
  reader(stream: string, group: string | null, service: string): HandlerRecorder {
    const key = `${stream}\n${group ?? ''}\n${service}`;
    let reader = this.readers.get(key);
    if (!reader) this.readers.set(key, (reader = { stream, group, service, window: new SecondsWindow() }));
    const { window } = reader;
    return (ms, ok) => window.record(this.clock(), ok, ms);
  }

  published(stream: string, service: string): void {
    const key = `${stream}\n${service}`;
    let producer = this.producers.get(key);
    if (!producer) this.producers.set(key, (producer = { stream, service, window: new SecondsWindow() }));
    producer.window.record(this.clock(), true);
  }

  report(): TimingsReport {
    const now = this.clock();
    return {
      instance: this.instance,
      at: now,
      rateWindowSeconds: RATE_WINDOW_SECONDS,
      readers: [...this.readers.values()].map(({ stream, group, service, window }) => {
        const { ok, failed } = window.recent(now);
        return { stream, group, service, acked: ok, failed, latency: window.latency(now) };
      }),
      producers: [...this.producers.values()].map(({ stream, service, window }) => ({ stream, service, published: window.recent(now).ok })),
    };
  }
}

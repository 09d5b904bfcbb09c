import { RATE_WINDOW_SECONDS } from '@pizza/infra';

/** Readings closer together than this are not kept (two pages following the feed read twice a second). */
const MIN_SPACING_MS = 250;
/** A rate needs two readings at least this far apart. */
const MIN_SPAN_MS = 900;

/**
 * Turns ever-growing counters (a stream's entries-added, a group's entries-read), read at each
 * snapshot, into per-second rates over the last `RATE_WINDOW_SECONDS`. Memory: a few readings per
 * counter; nothing runs between snapshots.
 */
export class CounterRates {
  private readonly readings = new Map<string, { at: number; value: number }[]>();

  constructor(private readonly windowMs = RATE_WINDOW_SECONDS * 1000) {}

  /** Records the counter's value at `now` and answers its rate, or null until a reading at least ~1 s older exists. */
  rate(key: string, value: number, now: number): number | null {
    let list = this.readings.get(key) ?? [];
    // a counter that went back (stream deleted, Redis restarted) starts over
    if (list.length > 0 && value < list.at(-1)!.value) list = [];
    // the base is the newest reading at least a window old (or the oldest one); older ones go
    while (list.length > 1 && now - list[1]!.at >= this.windowMs) list.shift();
    const base = list[0];
    const newest = list.at(-1);
    if (!newest || now - newest.at >= MIN_SPACING_MS) list.push({ at: now, value });
    this.readings.set(key, list);
    if (!base || now - base.at < MIN_SPAN_MS) return null;
    return Number((((value - base.value) * 1000) / (now - base.at)).toFixed(3));
  }
}

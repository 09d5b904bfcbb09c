import { rssBytes } from './children';
import { percentile } from './stats';

/** One reading of every process of a topology, plus the order latencies since the previous one. */
export interface SoakSample {
  /** Seconds since the load started. */
  at: number;
  /** Resident memory per process name, MB (null once the process is gone). */
  rssMb: Record<string, number | null>;
  /** V8 heap in use per process name, MB (from its /metrics; null without one). */
  heapMb: Record<string, number | null>;
  /** V8 heap reserved (used + free pages) and memory outside it (Buffers, native), MB. */
  heapTotalMb: Record<string, number | null>;
  externalMb: Record<string, number | null>;
  /** Order answers in this window, with their latency percentiles (ms). */
  orders: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface SampledProcess {
  name: string;
  pid: number;
  url?: string;
}

const MB = 1024 * 1024;

/** The sum of a Prometheus counter or gauge over the series whose labels contain `labels`. */
export function promValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

export async function scrape(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

/**
 * Samples every `intervalMs` until stopped: RSS from /proc, heap from each process's /metrics,
 * and the percentiles of the latencies `record` was given since the previous sample.
 */
export function startSampler(processes: readonly SampledProcess[], intervalMs: number) {
  const started = performance.now();
  const samples: SoakSample[] = [];
  let window: number[] = [];
  let stopped = false;

  const sample = async () => {
    const at = (performance.now() - started) / 1000;
    const latencies = window;
    window = [];
    const rssMb: SoakSample['rssMb'] = {};
    const heapMb: SoakSample['heapMb'] = {};
    const heapTotalMb: SoakSample['heapTotalMb'] = {};
    const externalMb: SoakSample['externalMb'] = {};
    await Promise.all(
      processes.map(async (p) => {
        try {
          rssMb[p.name] = rssBytes(p.pid) / MB;
        } catch {
          rssMb[p.name] = null;
        }
        const text = p.url ? await scrape(p.url) : null;
        // 0: no /metrics, or a process too busy (e.g. writing a heap snapshot) to collect them
        const read = (name: string) => {
          const bytes = text === null ? 0 : promValue(text, name);
          return bytes > 0 ? bytes / MB : null;
        };
        heapMb[p.name] = read('nodejs_heap_size_used_bytes');
        heapTotalMb[p.name] = read('nodejs_heap_size_total_bytes');
        externalMb[p.name] = read('nodejs_external_memory_bytes');
      }),
    );
    samples.push({ at, rssMb, heapMb, heapTotalMb, externalMb, orders: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) });
  };

  const loop = (async () => {
    for (let tick = 1; !stopped; tick++) {
      const wait = started + tick * intervalMs - performance.now();
      // a process paused (e.g. writing a heap snapshot) delays a reading; missed ticks are skipped
      if (wait < 0) continue;
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (!stopped) await sample();
    }
  })();

  return {
    samples,
    /** Seconds since the sampler started. */
    elapsed: () => (performance.now() - started) / 1000,
    record(latencyMs: number) {
      window.push(latencyMs);
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * Growth over the last third of the load, in %: the peak of the last third against the peak
 * before it. Peaks, because the garbage collector makes single readings jump.
 */
export function lastThirdGrowth(samples: readonly SoakSample[], name: string, loadSeconds: number): number | null {
  const cut = (loadSeconds * 2) / 3;
  const peak = (from: number, to: number) => {
    const values = samples.filter((s) => s.at > from && s.at <= to).map((s) => s.rssMb[name]).filter((v): v is number => v !== null && v !== undefined);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const before = peak(0, cut);
  const last = peak(cut, loadSeconds);
  return before === null || last === null ? null : ((last - before) / before) * 100;
}

import autocannon from 'autocannon';
import { cpuMs } from './children';
import { percentile } from './stats';

/** The first moments of a run, while its connections are new and get their first answers. */
export const RAMP_MS = 250;

export interface LoadResult {
  /** Responses per second over the whole run. */
  rps: number;
  total: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** p99 of the requests sent after the first RAMP_MS: without the connections' first round trips. */
  p99AfterRampMs: number | null;
  /** Responses by status code. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU time (user + system) the server process spent per response, when its pid was given. */
  cpuUsPerResponse: number | null;
}

/**
 * One autocannon run from this (the bench) process. Throughput is counted from the first request
 * to the last response, not from autocannon's own duration: with `amount` autocannon only notices
 * that it is done at its next sampling tick, which would round short runs up to whole seconds.
 */
export function runLoad(options: autocannon.Options, serverPid?: number): Promise<LoadResult> {
  const cpuBefore = serverPid === undefined ? 0 : cpuMs(serverPid);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = 0;
    let responses = 0;
    const afterRamp: number[] = [];
    const instance = autocannon({ timeout: 10, ...options }, (error, result) => {
      if (error) return reject(error as Error);
      const statuses: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
      const seconds = responses > 0 ? (last - started) / 1000 : result.duration;
      resolve({
        rps: responses / seconds,
        total: responses,
        seconds,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        p99AfterRampMs: percentile(afterRamp, 99),
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        cpuUsPerResponse: serverPid === undefined || responses === 0 ? null : ((cpuMs(serverPid) - cpuBefore) * 1000) / responses,
      });
    });
    instance.on('response', (_client, _status, _bytes, ms) => {
      responses += 1;
      last = performance.now();
      if (last - ms - started >= RAMP_MS) afterRamp.push(ms);
    });
  });
}

/** A short run whose numbers are thrown away: JIT, connection pools and caches get warm. */
export async function warmUp(options: autocannon.Options, seconds = 1): Promise<void> {
  const { amount: _amount, ...rest } = options;
  await runLoad({ ...rest, duration: seconds });
}

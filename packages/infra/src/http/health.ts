import type { HealthCheck, HealthReport } from '@pizza/contracts';
import type { Logger } from '../logger';

/** A named dependency check: resolves when the dependency answers, throws otherwise. */
export type HealthProbe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2000;

class ProbeTimeout extends Error {}

/**
 * Runs every probe in parallel (each bounded by a timeout) and reports which failed. The public
 * answer says only "does not answer" or "timed out": the driver's message (hosts, ports,
 * credentials in URLs) goes to the log.
 */
export async function checkHealth(service: string, probes: Record<string, HealthProbe>, logger?: Logger): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheck]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new ProbeTimeout()), PROBE_TIMEOUT_MS);
          }),
        ]);
        return [name, { status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 }];
      } catch (error) {
        const timedOut = error instanceof ProbeTimeout;
        logger?.warn({ err: timedOut ? undefined : error, check: name }, `health check ${name} failed`);
        return [name, { status: 'error', error: timedOut ? `no answer within ${PROBE_TIMEOUT_MS} ms` : `${name} does not answer` }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  const ok = entries.every(([, c]) => c.status === 'ok');
  return { status: ok ? 'ok' : 'error', service, checks };
}

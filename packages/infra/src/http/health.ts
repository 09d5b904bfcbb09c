import type { HealthCheck, HealthReport } from '@pizza/contracts';

/** A named dependency check: resolves when the dependency answers, throws otherwise. */
export type HealthProbe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2000;

/** Runs every probe in parallel (each bounded by a timeout) and reports which failed. */
export async function checkHealth(service: string, probes: Record<string, HealthProbe>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheck]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
          }),
        ]);
        return [name, { status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 }];
      } catch (error) {
        return [name, { status: 'error', error: (error as Error).message || String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  const ok = entries.every(([, c]) => c.status === 'ok');
  return { status: ok ? 'ok' : 'error', service, checks };
}

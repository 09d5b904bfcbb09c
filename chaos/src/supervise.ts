import { waitForOk, type Child } from '@pizza/infra/testing';

/**
 * Starts a service as a supervisor would: a process that exits while starting (Redis not
 * reachable yet, a start check that timed out on a loaded machine) is started again after a
 * growing pause, up to `attempts` times. `spawn` is called once per attempt; `onSpawn` sees each
 * child, so the caller always holds the current one.
 */
export async function startSupervised(options: {
  spawn: () => Child;
  onSpawn: (child: Child) => void;
  /** Answers 200 once the process is up. */
  url: () => string;
  attempts: number;
  timeoutMs?: number;
  pauseMs?: number;
}): Promise<Child> {
  for (let attempt = 1; ; attempt++) {
    const child = options.spawn();
    options.onSpawn(child);
    try {
      await waitForOk(options.url(), child, options.timeoutMs ?? 60_000, 100);
      return child;
    } catch (error) {
      await child.stop(1000);
      if (attempt >= options.attempts) throw error;
      await new Promise((r) => setTimeout(r, (options.pauseMs ?? 1000) * attempt));
    }
  }
}

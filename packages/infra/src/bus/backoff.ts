import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger';

/**
 * Exponential backoff for a loop that talks to something that can be down (Redis, storage).
 * Logs the first failure of a streak at warn and the recovery at info, so an outage gives two
 * log lines, not one per retry.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly initialMs = 100,
    private readonly maxMs = 5_000,
  ) {}

  /** Records a failure and returns how long to wait before the next try. */
  fail(err: unknown): number {
    this.failures++;
    if (this.failures === 1) this.logger.warn({ err }, `${this.what} failed; retrying with backoff`);
    else this.logger.debug({ err, failures: this.failures }, `${this.what} still failing`);
    const exponential = this.initialMs * 2 ** Math.min(this.failures - 1, 16);
    // Jitter keeps many replicas from retrying in lockstep after a shared outage.
    return Math.round(Math.min(exponential, this.maxMs) * (0.8 + Math.random() * 0.4));
  }

  succeed(): void {
    if (this.failures > 0) this.logger.info({ failures: this.failures }, `${this.what} recovered`);
    this.failures = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import type { TrackingMessage } from '@pizza/contracts';
import { rankOf } from './status-projection';

/** The follower did not take its messages fast enough; its stream is ended with this error. */
export class SlowFollowerError extends Error {
  override name = 'SlowFollowerError';
}

/**
 * The bounded queue between the hub's fan-out and one follower. Only steps ranked above
 * everything queued so far are kept, so a follower can never be handed an older state.
 */
export class StatusListener {
  private queue: TrackingMessage[] = [];
  private highest = -1;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** Set by flow(): accepted steps go straight to it instead of the queue. */
  private deliver: ((step: TrackingMessage) => void) | null = null;

  constructor(private readonly maxPending: number) {}

  offer(steps: readonly TrackingMessage[]): void {
    for (const step of steps) {
      if (this.ended) return;
      const rank = rankOf(step);
      if (rank <= this.highest) continue;
      this.highest = rank;
      if (this.deliver) this.deliver(step);
      else this.queue.push(step);
    }
    if (this.queue.length > this.maxPending) {
      this.queue = [];
      this.failure = new SlowFollowerError(`more than ${this.maxPending} status messages waiting for one follower`);
      this.ended = true;
    }
    this.signal();
  }

  /** Why the stream ended early (too many steps waiting), or null. */
  get failed(): Error | null {
    return this.failure;
  }

  /** The follower already has everything up to `rank`: drop it from the queue and never take it again. */
  skipThrough(rank: number): void {
    this.queue = this.queue.filter((step) => rankOf(step) > rank);
    this.highest = Math.max(this.highest, rank);
  }

  /**
   * From now on every accepted step is handed to `deliver` as it is offered (what is queued first),
   * instead of waiting for next(): a follower that takes steps by callback holds no pending promise.
   */
  flow(deliver: (step: TrackingMessage) => void): void {
    const queued = this.queue;
    this.queue = [];
    this.deliver = deliver;
    for (const step of queued) if (!this.ended) deliver(step);
  }

  /** Ends the stream: next() resolves null once the queue is empty; flow() delivers nothing more. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /** The next queued step; null once ended; throws SlowFollowerError after an overflow. */
  async next(): Promise<TrackingMessage | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      const step = this.queue.shift();
      if (step) return step;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

import type { TrackingMessage } from '@pizza/contracts';

/**
 * The latest state this replica recorded per order, for the orders it saw lately (bounded: the oldest
 * entries go first). It spares the hub a cache read before each write: the cache's atomic
 * rank comparison still decides, so a stale entry can only make a write a no-op, never a step back.
 */
export class RecentStates {
  private readonly states = new Map<string, TrackingMessage>();

  constructor(private readonly capacity: number) {}

  get(orderId: string): TrackingMessage | null {
    return this.states.get(orderId) ?? null;
  }

  set(orderId: string, latest: TrackingMessage): void {
    this.states.delete(orderId);
    // a delivered order gets no further events worth remembering it for
    if (latest.status === 'delivered') return;
    this.states.set(orderId, latest);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }

  get size(): number {
    return this.states.size;
  }
}

import type { TrackingMessage } from '@pizza/contracts';

/** One tracked status: `eventId` is a UUID naming (order, step) (`trackedEventId`), so clients can resume after it. */
export interface TrackedStatus {
  eventId: string;
  message: TrackingMessage;
  /** false for states replayed on (re)connect, true for changes pushed as they happen. */
  live: boolean;
}

/** What the `orders.track` subscription needs from the notifications service. */
export interface TrackingService {
  /**
   * The current status at once (or everything ranked above `lastEventId`), then every newer
   * status until `signal` aborts. Throws an AppError NOT_FOUND for an unknown order.
   */
  follow(orderId: string, lastEventId: string | null, signal?: AbortSignal): AsyncIterable<TrackedStatus>;
}

/** Where watch() hands a follower's statuses. */
export interface TrackingSink {
  status(status: TrackedStatus): void;
  /** The order does not exist (AppError NOT_FOUND), or its state could not be read; nothing follows. */
  fail(error: unknown): void;
}

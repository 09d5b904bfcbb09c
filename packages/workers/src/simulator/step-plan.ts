import { createHash } from 'node:crypto';
import { drawDelay, nameBasedUuid, type DelayRange } from '@pizza/infra';
import type { EventEnvelope } from '@pizza/contracts';

export interface SimulatorDelays {
  confirm: DelayRange;
  prepare: DelayRange;
  pickup: DelayRange;
  transit: DelayRange;
}

/**
 * Which delay precedes each simulated step: the kitchen confirms, starts preparing and hands the
 * order over (each `prepare` long); the courier picks it up and rides (`pickup`, `transit`).
 */
export function delayFor(request: EventEnvelope, delays: SimulatorDelays): DelayRange | null {
  if (request.type === 'order.simulate') {
    return request.payload.next === 'confirmed' ? delays.confirm : delays.prepare;
  }
  if (request.type === 'delivery.simulate') {
    return request.payload.next === 'on_the_way' ? delays.pickup : delays.transit;
  }
  return null;
}

/** A number in [0, 1) fixed by the seed, so a step re-run after a restart keeps its due time. */
export function seededFraction(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

/** The moment a step is due: request time + a delay drawn once per request. */
export function dueAt(request: EventEnvelope, range: DelayRange): number {
  return Date.parse(request.occurredAt) + drawDelay(range, () => seededFraction(request.eventId));
}

/**
 * The id of the status event a request produces: derived from the request, so publishing it
 * again after a crash (before the ack) yields the same eventId and consumers dedupe it.
 */
export function resultEventId(requestEventId: string): string {
  return nameBasedUuid(`simulated:${requestEventId}`);
}

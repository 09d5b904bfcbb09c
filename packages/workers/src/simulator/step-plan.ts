import { createHash } from 'node:crypto';
import type { DelayRange } from '@pizza/infra';
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
  const delay = range.min + Math.floor(seededFraction(request.eventId) * (range.max - range.min + 1));
  return Date.parse(request.occurredAt) + delay;
}

/**
 * The id of the status event a request produces: derived from the request, so publishing it
 * again after a crash (before the ack) yields the same eventId and consumers dedupe it.
 */
export function resultEventId(requestEventId: string): string {
  const hex = createHash('sha256').update(`simulated:${requestEventId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

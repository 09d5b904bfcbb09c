import type { Fault, FaultName } from '@pizza/contracts';

/** `m:ss` until `expiresAt` (`0:00` once past). */
export function timeLeft(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A fault's parameters in one line, e.g. `group delivery-group · rate 1`. */
export function describeParams(params: Fault['params']): string {
  return Object.entries(params)
    .map(([name, value]) => `${name} ${typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** The parameters each fault takes, in the order the form shows them. */
export const FAULT_FIELDS: Record<FaultName, readonly ('group' | 'rate' | 'delayMs' | 'service' | 'seconds')[]> = {
  'consumer-failure': ['group', 'rate'],
  'consumer-delay': ['group', 'delayMs'],
  'outbox-pause': ['service'],
  'push-delay': ['delayMs'],
  'bus-outage': ['seconds'],
};

export type FaultForm = Record<'group' | 'rate' | 'delayMs' | 'service' | 'seconds' | 'ttlSeconds', string>;

/**
 * The body of `PUT /admin/faults/{name}` from the form: only the fields that fault takes, numbers
 * as numbers (an empty or unreadable number is sent as is, so the API names the field).
 */
export function faultRequestOf(name: FaultName, form: FaultForm): Record<string, unknown> {
  const number = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);
  const body: Record<string, unknown> = { name, ttlSeconds: number(form.ttlSeconds) };
  for (const field of FAULT_FIELDS[name]) body[field] = field === 'group' || field === 'service' ? form[field] : number(form[field]);
  return body;
}

/** What a dead letter's envelope says about itself, when it is an event (it may be raw text). */
export function envelopeSummary(envelope: unknown): { type: string | null; orderId: string | null } {
  const record = envelope && typeof envelope === 'object' ? (envelope as Record<string, unknown>) : {};
  return {
    type: typeof record.type === 'string' ? record.type : null,
    orderId: typeof record.orderId === 'string' ? record.orderId : null,
  };
}

import { createHash } from 'node:crypto';
import type { Courier } from '@pizza/contracts';

const ROSTER: readonly Courier[] = [
  { name: 'Luigi Rossi', phone: '+39 06 5550 1234' },
  { name: 'Maria Bianchi', phone: '+39 06 5550 2345' },
  { name: 'Marco Esposito', phone: '+39 06 5550 3456' },
  { name: 'Giulia Romano', phone: '+39 06 5550 4567' },
  { name: 'Paolo Ricci', phone: '+39 06 5550 5678' },
  { name: 'Sofia Marino', phone: '+39 06 5550 6789' },
];

/** The courier for an order: stable for the order, spread across the roster. */
export function assignCourier(orderId: string): Courier {
  const n = createHash('sha256').update(orderId).digest().readUInt32BE(0);
  return ROSTER[n % ROSTER.length]!;
}

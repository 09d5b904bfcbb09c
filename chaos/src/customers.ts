import { randomUUID } from 'node:crypto';
import type { MenuItem, Order } from '@pizza/contracts';
import type { Random } from './random';

const CUSTOMER = { name: 'Chaos Customer', phone: '+44 20 7946 0000', address: '1 Loopback Lane, Localhost' };
const REQUEST_TIMEOUT_MS = 5_000;
/** A customer who got no answer keeps trying this long, as a browser tab left open would. */
const GIVE_UP_AFTER_MS = 90_000;

export type Outcome = 'accepted' | 'rejected' | 'unknown';

export interface OfferedOrder {
  key: string;
  lines: { menuItemId: string; quantity: number }[];
  offeredAt: number;
  outcome: Outcome;
  orderId?: string;
  acceptedAt?: number;
  attempts: number;
  /** What the last failed attempt saw (status or network error). */
  lastError?: string;
  rejection?: string;
}

/**
 * Simulated customers: a steady stream of orders, each posted with its own Idempotency-Key to a
 * random order-service replica; on a network error, a timeout or a 5xx the same request (same key,
 * same body) is sent again after a backoff, as the web app's retrying mutation does.
 */
export function startCustomers(options: { rate: number; menu: MenuItem[]; replicas: () => string[]; random: Random; onAccepted: (order: OfferedOrder) => void }) {
  const offered: OfferedOrder[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  // what the menu page shows: an item refused for lack of stock is shown sold out and not ordered again
  const items = options.menu.filter((item) => item.stock > 0);
  const soldOut = (body: string) => {
    try {
      const error = JSON.parse(body) as { code?: string; menuItemId?: string; available?: number };
      if (error.code !== 'INSUFFICIENT_STOCK' || error.available !== 0) return;
      const index = items.findIndex((item) => item.id === error.menuItemId);
      if (index >= 0 && items.length > 1) items.splice(index, 1);
    } catch {
      // not a JSON error body: nothing to learn from it
    }
  };

  const place = async (order: OfferedOrder) => {
    const body = JSON.stringify({ customer: CUSTOMER, items: order.lines, simulate: true });
    const deadline = order.offeredAt + GIVE_UP_AFTER_MS;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      order.attempts = attempt;
      const result = await postOrder(options.random.pick(options.replicas()), order.key, body);
      if (result.status === 201) {
        order.outcome = 'accepted';
        order.orderId = result.order!.id;
        order.acceptedAt = Date.now();
        options.onAccepted(order);
        return;
      }
      if (result.status >= 400 && result.status < 500) {
        order.outcome = 'rejected';
        order.rejection = `${result.status} ${result.text.slice(0, 200)}`;
        soldOut(result.text);
        return;
      }
      order.lastError = result.status === 0 ? result.text : `${result.status} ${result.text.slice(0, 200)}`;
      await new Promise((r) => setTimeout(r, Math.min(4_000, 250 * 2 ** Math.min(attempt - 1, 4))));
    }
  };

  const intervalMs = 1000 / options.rate;
  const timer = setInterval(() => {
    if (stopped) return;
    const item = options.random.pick(items);
    const order: OfferedOrder = {
      key: randomUUID(),
      lines: [{ menuItemId: item.id, quantity: options.random.int(1, 2) }],
      offeredAt: Date.now(),
      outcome: 'unknown',
      attempts: 0,
    };
    offered.push(order);
    const task = place(order).finally(() => inFlight.delete(task));
    inFlight.add(task);
  }, intervalMs);

  return {
    offered,
    /** Stops offering new orders and waits for the customers still trying. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    /** The customers who never got an answer come back once, with the same key, to learn the outcome. */
    async settleUnknown(apiUrl: string) {
      const unknown = offered.filter((o) => o.outcome === 'unknown');
      const ask = async (order: OfferedOrder) => {
        const body = JSON.stringify({ customer: CUSTOMER, items: order.lines, simulate: true });
        const result = await postOrder(apiUrl, order.key, body);
        if (result.status === 201) {
          order.outcome = 'accepted';
          order.orderId = result.order!.id;
          order.acceptedAt = Date.now();
          options.onAccepted(order);
        } else if (result.status >= 400 && result.status < 500) {
          order.outcome = 'rejected';
          order.rejection = `${result.status} ${result.text.slice(0, 200)}`;
        } else order.lastError = result.status === 0 ? result.text : `${result.status} ${result.text.slice(0, 200)}`;
      };
      // 16 at a time: at most ⌈n/16⌉ × 5 s however many are left
      for (let i = 0; i < unknown.length; i += 16) await Promise.all(unknown.slice(i, i + 16).map(ask));
    },
  };
}

async function postOrder(apiUrl: string, key: string, body: string): Promise<{ status: number; text: string; order?: Order }> {
  try {
    const res = await fetch(`${apiUrl}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return res.status === 201 ? { status: 201, text, order: JSON.parse(text) as Order } : { status: res.status, text };
  } catch (err) {
    return { status: 0, text: (err as Error).message };
  }
}

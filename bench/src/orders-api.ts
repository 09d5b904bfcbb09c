import type { MenuItem, Order } from '@pizza/contracts';

export const CUSTOMER = { name: 'Bench Customer', phone: '+44 20 7946 0000', address: '1 Loopback Lane, Localhost' };

export async function readMenu(apiUrl: string): Promise<MenuItem[]> {
  const res = await fetch(`${apiUrl}/api/v1/menu`);
  if (res.status !== 200) throw new Error(`GET /api/v1/menu answered ${res.status}`);
  return (await res.json()) as MenuItem[];
}

export function orderBody(menuItemId: string, simulate: boolean): string {
  return JSON.stringify({ customer: CUSTOMER, items: [{ menuItemId, quantity: 1 }], simulate });
}

export async function createOrder(apiUrl: string, menuItemId: string, simulate: boolean): Promise<Order> {
  const res = await fetch(`${apiUrl}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody(menuItemId, simulate) });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/orders answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Order;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Item ids in proportion to their stock (one unit each), e.g. 4× margherita for 10× cola when the
 * stock is 200 and 500: orders spread over the menu run every item out at about the same time.
 */
export function stockDeck(menu: readonly MenuItem[]): string[] {
  const inStock = menu.filter((item) => item.stock > 0);
  const unit = inStock.reduce((g, item) => gcd(g, item.stock), 0);
  if (unit === 0) throw new Error('nothing in stock');
  const deck: string[] = [];
  const weights = inStock.map((item) => ({ id: item.id, left: item.stock / unit }));
  // interleaved, not in blocks: consecutive orders hit different rows
  for (let added = true; added; ) {
    added = false;
    for (const w of weights) {
      if (w.left > 0) {
        deck.push(w.id);
        w.left -= 1;
        added = true;
      }
    }
  }
  return deck;
}

/** An endless round-robin over a deck. */
export function dealer(deck: readonly string[]): () => string {
  let next = 0;
  return () => deck[next++ % deck.length]!;
}

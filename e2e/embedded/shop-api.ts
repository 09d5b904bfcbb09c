import type { APIRequestContext } from '@playwright/test';
import { MenuItem } from '@pizza/contracts';

/** Reads one item's live stock through the REST API. */
export async function stockOf(request: APIRequestContext, id: string): Promise<number> {
  return MenuItem.parse(await (await request.get(`/api/v1/menu/${id}`)).json()).stock;
}

/** Leaves exactly `left` units of an item by ordering the rest through the API (no simulation). */
export async function drainStock(request: APIRequestContext, id: string, left: number): Promise<void> {
  let stock = await stockOf(request, id);
  while (stock > left) {
    const quantity = Math.min(50, stock - left);
    const res = await request.post('/api/v1/orders', {
      data: { customer: { name: 'Stock Keeper', phone: '+1 555 0100', address: '1 Warehouse Way' }, items: [{ menuItemId: id, quantity }], simulate: false },
    });
    if (res.status() !== 201) throw new Error(`draining ${id}: ${res.status()} ${await res.text()}`);
    stock -= quantity;
  }
}

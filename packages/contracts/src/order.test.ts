import { describe, expect, it } from 'vitest';
import { CreateOrderInput } from './order';

const customer = { name: 'Ada', phone: '+44 20 7946 0000', address: '1 Pizza Street' };

describe('CreateOrderInput', () => {
  it('accepts names in any script, with emoji', () => {
    const parsed = CreateOrderInput.parse({ customer: { ...customer, name: 'Zoë 山田 👩‍🍳' }, items: [{ menuItemId: 'cola', quantity: 1 }] });
    expect(parsed.customer.name).toBe('Zoë 山田 👩‍🍳');
  });

  it('accepts a valid order and defaults simulate to true', () => {
    const parsed = CreateOrderInput.parse({ customer, items: [{ menuItemId: 'margherita', quantity: 2 }] });
    expect(parsed.simulate).toBe(true);
  });

  it.each([
    ['unknown field', { customer, items: [{ menuItemId: 'cola', quantity: 1 }], extra: 1 }],
    ['empty items', { customer, items: [] }],
    ['zero quantity', { customer, items: [{ menuItemId: 'cola', quantity: 0 }] }],
    ['fractional quantity', { customer, items: [{ menuItemId: 'cola', quantity: 1.5 }] }],
    ['quantity over 50', { customer, items: [{ menuItemId: 'cola', quantity: 51 }] }],
    ['string quantity', { customer, items: [{ menuItemId: 'cola', quantity: '2' }] }],
    ['duplicate item', { customer, items: [{ menuItemId: 'cola', quantity: 1 }, { menuItemId: 'cola', quantity: 1 }] }],
    ['21 lines', { customer, items: Array.from({ length: 21 }, (_, i) => ({ menuItemId: `item-${i}`, quantity: 1 })) }],
    ['blank name', { customer: { ...customer, name: '  ' }, items: [{ menuItemId: 'cola', quantity: 1 }] }],
    ['bad phone', { customer: { ...customer, phone: 'call me' }, items: [{ menuItemId: 'cola', quantity: 1 }] }],
    ['a NUL in the name', { customer: { ...customer, name: 'Ada\u0000' }, items: [{ menuItemId: 'cola', quantity: 1 }] }],
    ['a newline in the address', { customer: { ...customer, address: '1 Pizza St\nEvil' }, items: [{ menuItemId: 'cola', quantity: 1 }] }],
    ['a right-to-left override', { customer: { ...customer, name: 'Ada\u202Eevil' }, items: [{ menuItemId: 'cola', quantity: 1 }] }],
  ])('rejects %s', (_name, body) => {
    expect(CreateOrderInput.safeParse(body).success).toBe(false);
  });
});

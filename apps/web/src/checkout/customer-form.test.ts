import { describe, expect, it } from 'vitest';
import { EMPTY_CUSTOMER, customerErrorsFromIssues, validateCustomer, validateCustomerField } from './customer-form';

describe('customer form validation (shared Customer schema)', () => {
  it('reports every empty field', () => {
    const result = validateCustomer(EMPTY_CUSTOMER);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['address', 'name', 'phone']);
  });

  it('accepts valid details and trims them', () => {
    const result = validateCustomer({ name: '  Ada ', phone: '+44 20 7946 0000', address: '1 Pizza Street' });
    expect(result).toEqual({ ok: true, customer: { name: 'Ada', phone: '+44 20 7946 0000', address: '1 Pizza Street' } });
  });

  it('validates one field at a time with the schema messages', () => {
    expect(validateCustomerField('name', '   ')).toBe('Name is required');
    expect(validateCustomerField('phone', 'call me')).toMatch(/^Phone must be/);
    expect(validateCustomerField('address', 'abc')).toBe('Address must be at least 5 characters');
    expect(validateCustomerField('phone', '+353 1 234 5678')).toBeUndefined();
  });

  it('maps server issues back onto the fields', () => {
    expect(
      customerErrorsFromIssues([
        { path: 'customer.phone', message: 'bad phone' },
        { path: 'items.0.quantity', message: 'too many' },
      ]),
    ).toEqual({ phone: 'bad phone' });
  });
});

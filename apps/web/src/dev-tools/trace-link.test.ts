import { describe, expect, it } from 'vitest';
import { traceUrlFor } from './trace-link';

const ID = '0b7c3a5e-8a4f-4f52-9d51-3f0e2f6f1c2a';

describe('traceUrlFor', () => {
  it('fills the order id into the configured template', () => {
    expect(traceUrlFor('/grafana/explore?q=%7Bspan.pizza.order.id%3D%22{orderId}%22%7D', ` ${ID.toUpperCase()} `)).toBe(`/grafana/explore?q=%7Bspan.pizza.order.id%3D%22${ID}%22%7D`);
  });

  it('gives no link without a template, without the placeholder, or for something that is not an order id', () => {
    expect(traceUrlFor(undefined, ID)).toBeNull();
    expect(traceUrlFor('/grafana/explore', ID)).toBeNull();
    expect(traceUrlFor('/t/{orderId}', 'not-an-id')).toBeNull();
  });
});

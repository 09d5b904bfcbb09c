import { isOrderId } from '@pizza/contracts';

/**
 * The trace UI link of an order: VITE_TRACE_URL (set at build time) with `{orderId}` replaced,
 * e.g. a Grafana Explore URL whose TraceQL query is `{ span.pizza.order.id = "{orderId}" }`.
 * Null when no trace UI is configured or the id is not an order id.
 */
export function traceUrlFor(template: string | undefined, orderId: string): string | null {
  const id = orderId.trim().toLowerCase();
  if (!template || !template.includes('{orderId}') || !isOrderId(id)) return null;
  return template.replaceAll('{orderId}', encodeURIComponent(id));
}

export const TRACE_URL_TEMPLATE: string | undefined = import.meta.env.VITE_TRACE_URL as string | undefined;

import { useState } from 'react';
import { ExternalLink } from 'lucide-react';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { TRACE_URL_TEMPLATE, traceUrlFor } from './trace-link';

/** An order id in, a link to its trace out; shown only when a trace UI is configured (VITE_TRACE_URL). */
export function OrderTraceLink() {
  const [orderId, setOrderId] = useState('');
  if (!TRACE_URL_TEMPLATE) return null;
  const href = traceUrlFor(TRACE_URL_TEMPLATE, orderId);
  return (
    <section aria-labelledby="trace-heading">
      <h2 id="trace-heading" className="mb-3 text-xl font-extrabold tracking-tight font-display">
        Trace of an order
      </h2>
      <Label htmlFor="trace-order-id">Order id</Label>
      <Input id="trace-order-id" className="mt-1" placeholder="e.g. 0b7c3a5e-8a4f-4f52-9d51-3f0e2f6f1c2a" value={orderId} onChange={(e) => setOrderId(e.target.value)} />
      {href && (
        <a href={href} target="_blank" rel="noreferrer" className="mt-2 inline-flex items-center gap-1.5 font-semibold hover:underline">
          Open the trace of this order
          <ExternalLink aria-hidden="true" className="size-3.5 text-muted-foreground" />
          <span className="sr-only">(opens in a new tab)</span>
        </a>
      )}
    </section>
  );
}

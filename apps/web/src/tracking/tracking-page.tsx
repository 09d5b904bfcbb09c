import { DELIVERY_STATUS_LABELS, ORDER_STATUS_LABELS, type Order, type OrderStatus } from '@pizza/contracts';
import { Link } from '@tanstack/react-router';
import { Bike, MapPin, Phone, RefreshCw, TriangleAlert, User } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { NotFound } from '@/components/not-found';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Separator } from '@/components/ui/separator';
import { Skeleton } from '@/components/ui/skeleton';
import { useDocumentTitle } from '@/lib/document-title';
import { formatCents } from '@/lib/money';
import { trpc } from '@/lib/trpc';
import { ConnectionIndicator } from './connection-indicator';
import { OrderTimeline } from './order-timeline';
import { formatDateTime } from './time-format';
import { buildTimeline, currentState, type TrackingState } from './timeline';
import { useOrderTracking, type ConnectionState } from './use-order-tracking';

const POLL_WITHOUT_SOCKET_MS = 5_000;

const STATUS_BLURB: Record<OrderStatus, string> = {
  created: 'We have your order and are sending it to the kitchen.',
  confirmed: 'The kitchen accepted your order.',
  preparing: 'Your food is being made and baked right now.',
  out_for_delivery: 'Your order has left the kitchen.',
  delivered: 'Enjoy your meal! Thanks for ordering with Pizza Express.',
};

export function TrackingPage({ orderId }: { orderId: string }) {
  const order = trpc.orders.byId.useQuery({ id: orderId }, { staleTime: 0, refetchOnWindowFocus: true });
  const notFound = order.error?.data?.code === 'NOT_FOUND';
  const tracking = useOrderTracking(orderId, !notFound);
  const delivered = order.data?.status === 'delivered';
  // without live updates, fall back to polling so the page never silently goes stale
  const { refetch } = order;
  useEffect(() => {
    if (notFound || delivered || tracking.connection === 'live') return;
    const timer = setInterval(() => void refetch(), POLL_WITHOUT_SOCKET_MS);
    return () => clearInterval(timer);
  }, [notFound, delivered, tracking.connection, refetch]);
  useDocumentTitle(order.data ? `Order ${ORDER_STATUS_LABELS[currentState(order.data, tracking.live).status]}` : 'Order tracking');

  if (notFound) {
    return (
      <NotFound title="Order not found">
        <p>We couldn’t find an order with this link. Check the address, or start a new order.</p>
      </NotFound>
    );
  }
  if (order.isPending) return <TrackingSkeleton connection={tracking.connection} />;
  if (order.isError) {
    return (
      <Alert variant="destructive" role="alert" className="max-w-2xl">
        <TriangleAlert aria-hidden="true" />
        <AlertTitle>We couldn’t load your order</AlertTitle>
        <AlertDescription>
          <p>{order.error.message}</p>
          <Button variant="outline" size="sm" className="mt-3" onClick={() => void order.refetch()}>
            <RefreshCw aria-hidden="true" /> Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }
  return <OrderTracking order={order.data} live={tracking.live} connection={tracking.connection} />;
}

function OrderTracking({ order, live, connection }: { order: Order; live: ReturnType<typeof useOrderTracking>['live']; connection: ConnectionState }) {
  const state = currentState(order, live);
  const steps = buildTimeline(order, live);
  const delivery = order.delivery;
  const deliveryStatus = state.status === 'out_for_delivery' ? (state.deliveryStatus ?? 'waiting') : null;
  const deliveryDetail = deliveryStatus ? DELIVERY_STATUS_LABELS[deliveryStatus] : undefined;
  const announcement = useStatusAnnouncement(state);

  return (
    <>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4 sm:mb-8">
        <div className="min-w-0">
          <p className="text-sm font-semibold text-muted-foreground">
            Order <span className="font-mono">#{order.id.slice(0, 8)}</span> · placed {formatDateTime(order.createdAt)}
          </p>
          <h1 className="mt-1 text-3xl font-extrabold tracking-tight font-display sm:text-4xl">
            <span className="sr-only">Order status: </span>
            <span data-testid="order-status">{ORDER_STATUS_LABELS[state.status]}</span>
          </h1>
          <p className="mt-2 text-muted-foreground">{STATUS_BLURB[state.status]}</p>
          {deliveryStatus && (
            <Badge variant="secondary" className="mt-3 text-sm" data-testid="delivery-status">
              <Bike aria-hidden="true" /> {DELIVERY_STATUS_LABELS[deliveryStatus]}
            </Badge>
          )}
        </div>
        <ConnectionIndicator state={connection} />
      </div>
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>

      <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          <CardHeader>
            <CardTitle>Progress</CardTitle>
          </CardHeader>
          <CardContent>
            <OrderTimeline steps={steps} detail={deliveryDetail ? { out_for_delivery: deliveryDetail } : undefined} />
          </CardContent>
        </Card>

        <div className="grid gap-6">
          {delivery && (
            <Card role="region" aria-labelledby="courier-heading" data-testid="courier">
              <CardHeader>
                <CardTitle id="courier-heading">Your courier</CardTitle>
              </CardHeader>
              <CardContent className="space-y-2 text-sm">
                <p className="flex items-center gap-2">
                  <User aria-hidden="true" className="size-4 text-muted-foreground" />
                  <span className="font-semibold">{delivery.courier.name}</span>
                </p>
                <p className="flex items-center gap-2">
                  <Phone aria-hidden="true" className="size-4 text-muted-foreground" />
                  <a href={`tel:${delivery.courier.phone.replace(/[^+\d]/g, '')}`} className="font-semibold text-primary underline-offset-4 hover:underline">
                    {delivery.courier.phone}
                  </a>
                </p>
                <p className="text-muted-foreground">{DELIVERY_STATUS_LABELS[state.deliveryStatus ?? delivery.status]}</p>
              </CardContent>
            </Card>
          )}

          <Card role="region" aria-labelledby="order-items-heading">
            <CardHeader>
              <CardTitle id="order-items-heading">Your order</CardTitle>
            </CardHeader>
            <CardContent className="space-y-4">
              <ul className="space-y-2 text-sm">
                {order.items.map((item) => (
                  <li key={item.menuItemId} className="flex justify-between gap-3">
                    <span>
                      <span className="font-semibold tabular-nums">{item.quantity} ×</span> {item.name}
                    </span>
                    <span className="tabular-nums">{formatCents(item.quantity * item.unitPriceCents)}</span>
                  </li>
                ))}
              </ul>
              <Separator />
              <div className="flex justify-between font-bold">
                <span>Total</span>
                <span className="tabular-nums" data-testid="order-total">
                  {formatCents(order.totalCents)}
                </span>
              </div>
              <Separator />
              <div className="space-y-1 text-sm">
                <p className="font-semibold">Delivering to</p>
                <p className="flex items-start gap-2 text-muted-foreground">
                  <MapPin aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
                  <span>
                    {order.customer.name}, {order.customer.address}
                  </span>
                </p>
              </div>
            </CardContent>
          </Card>

          <Button asChild variant="outline">
            <Link to="/">Order something else</Link>
          </Button>
        </div>
      </div>
    </>
  );
}

/** Text for the polite live region: silent on first render, then one sentence per status change. */
function useStatusAnnouncement(state: TrackingState): string {
  const key = `${state.status}/${state.deliveryStatus ?? ''}`;
  const first = useRef(key);
  const [text, setText] = useState('');
  useEffect(() => {
    if (key === first.current) return;
    first.current = '';
    const delivery = state.status === 'out_for_delivery' && state.deliveryStatus ? ` — ${DELIVERY_STATUS_LABELS[state.deliveryStatus]}` : '';
    setText(`Order status: ${ORDER_STATUS_LABELS[state.status]}${delivery}`);
  }, [key, state.status, state.deliveryStatus]);
  return text;
}

function TrackingSkeleton({ connection }: { connection: ConnectionState }) {
  return (
    <div role="status" aria-label="Loading your order">
      <div className="mb-8 flex justify-between gap-4">
        <div className="space-y-3">
          <Skeleton className="h-4 w-56" />
          <Skeleton className="h-9 w-48" />
        </div>
        <ConnectionIndicator state={connection} />
      </div>
      <div className="space-y-6 rounded-lg border bg-card p-6">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="flex items-center gap-4">
            <Skeleton className="size-11 rounded-full" />
            <Skeleton className="h-5 w-40" />
          </div>
        ))}
      </div>
    </div>
  );
}

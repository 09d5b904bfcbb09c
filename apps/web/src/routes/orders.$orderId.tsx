import { createFileRoute } from '@tanstack/react-router';
import { TrackingPage } from '@/tracking/tracking-page';

export const Route = createFileRoute('/orders/$orderId')({ component: OrderRoute });

function OrderRoute() {
  const { orderId } = Route.useParams();
  // a fresh page (and subscription) per order
  return <TrackingPage key={orderId} orderId={orderId} />;
}

import { createFileRoute } from '@tanstack/react-router';
import { CheckoutPage } from '@/checkout/checkout-page';

export const Route = createFileRoute('/checkout')({ component: CheckoutPage });

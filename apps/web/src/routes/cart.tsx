import { createFileRoute } from '@tanstack/react-router';
import { CartPage } from '@/cart/cart-page';

export const Route = createFileRoute('/cart')({ component: CartPage });

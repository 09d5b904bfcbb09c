import type { MenuItem } from '@pizza/contracts';
import { Plus } from 'lucide-react';
import { useCart } from '@/cart/cart-context';
import { addBlocker, type AddBlocker } from '@/cart/cart';
import { useToast } from '@/components/toaster';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { formatCents } from '@/lib/money';
import { CATEGORY_INFO } from './category';
import { StockBadge } from './stock-badge';

const BLOCKER_NOTE: Record<AddBlocker, (item: MenuItem) => string> = {
  sold_out: () => 'Sold out for now — check back soon.',
  all_in_cart: (item) => `All ${item.stock} left are in your cart.`,
  line_limit: () => 'That is the most we can bake of one item per order.',
  too_many_lines: () => 'Your cart is full — finish this order first.',
};

export function MenuItemCard({ item }: { item: MenuItem }) {
  const cart = useCart();
  const toast = useToast();
  const inCart = cart.lines.find((l) => l.menuItemId === item.id)?.quantity ?? 0;
  const blocker = addBlocker({ lines: cart.lines }, item);
  const { icon: Icon, tint } = CATEGORY_INFO[item.category];
  const noteId = `menu-item-${item.id}-note`;

  const add = () => {
    if (blocker) return;
    cart.add(item);
    toast({ title: `Added ${item.name} to cart`, description: `${inCart + 1} in your cart`, variant: 'success' });
  };

  return (
    <Card className="flex w-full flex-col overflow-hidden transition-shadow hover:shadow-md" data-testid="menu-item" data-menu-item-id={item.id}>
      <div className="flex items-start gap-4 p-5 pb-3">
        <div className={`grid size-14 shrink-0 place-items-center rounded-xl ${tint}`} aria-hidden="true">
          <Icon className="size-7" strokeWidth={1.75} />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
            <h3 className="text-lg leading-tight font-bold">{item.name}</h3>
            <p className="text-lg font-bold text-primary tabular-nums">{formatCents(item.priceCents)}</p>
          </div>
          <div className="mt-1.5">
            <StockBadge stock={item.stock} />
          </div>
        </div>
      </div>
      <p className="flex-1 px-5 text-sm leading-relaxed text-muted-foreground">{item.description}</p>
      <div className="mt-4 flex items-center justify-between gap-3 border-t bg-accent/40 px-5 py-3">
        <p id={noteId} className="min-w-0 text-xs text-muted-foreground">
          {blocker ? BLOCKER_NOTE[blocker](item) : inCart > 0 ? `${inCart} in your cart` : ''}
        </p>
        <Button
          onClick={add}
          disabled={blocker !== null}
          aria-describedby={blocker || inCart > 0 ? noteId : undefined}
        >
          <Plus aria-hidden="true" />
          {/* the visible words start the accessible name: "Add Margherita to cart" (WCAG 2.5.3) */}
          <span>
            Add<span className="sr-only"> {item.name}</span> to cart
          </span>
        </Button>
      </div>
    </Card>
  );
}

import type { MenuItem } from '@pizza/contracts';
import { MAX_LINE_QUANTITY } from '@pizza/contracts';
import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowRight, Minus, Plus, ShoppingBag, Trash2, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { useToast } from '@/components/toaster';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { useDocumentTitle } from '@/lib/document-title';
import { formatCents } from '@/lib/money';
import { StockBadge } from '@/menu/stock-badge';
import { useMenu } from '@/menu/use-menu';
import { cartSubtotalCents, type CartLine } from './cart';
import { useCart } from './cart-context';
import { describeStockProblem, findStockProblems, type StockProblem } from './stock-check';

export function CartPage() {
  useDocumentTitle('Cart');
  const cart = useCart();
  const menu = useMenu();
  const navigate = useNavigate();
  const problems = menu.data ? findStockProblems(cart.lines, menu.byId) : [];
  const problemOf = new Map(problems.map((p) => [p.menuItemId, p]));
  const subtotal = cartSubtotalCents(cart.lines, menu.byId);

  if (cart.lines.length === 0) return <EmptyCart />;

  return (
    <>
      <PageHeader title="Your cart" description="Quantities are checked against our live stock before you check out." />
      <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="cart-lines-heading">
          <h2 id="cart-lines-heading" className="sr-only">
            Items
          </h2>
          <ul className="divide-y rounded-lg border bg-card shadow-card">
            {cart.lines.map((line) => (
              <CartLineRow key={line.menuItemId} line={line} item={menu.byId.get(line.menuItemId)} problem={problemOf.get(line.menuItemId)} />
            ))}
          </ul>
        </section>

        <Card className="lg:sticky lg:top-24" aria-labelledby="cart-summary-heading" role="region">
          <CardHeader>
            <CardTitle id="cart-summary-heading">Summary</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <dl className="space-y-2 text-sm">
              <div className="flex justify-between">
                <dt className="text-muted-foreground">Items</dt>
                <dd className="tabular-nums">{cart.count}</dd>
              </div>
              <div className="flex justify-between">
                <dt className="text-muted-foreground">Delivery</dt>
                <dd>Free</dd>
              </div>
              {/* a rule drawn by the row itself: a <dl> may only hold dt/dd groups */}
              <div className="flex justify-between border-t pt-3 text-base font-bold">
                <dt>Subtotal</dt>
                <dd className="tabular-nums" data-testid="cart-subtotal">
                  {formatCents(subtotal)}
                </dd>
              </div>
            </dl>
            {problems.length > 0 && (
              <Alert variant="destructive" id="cart-blocked">
                <TriangleAlert aria-hidden="true" />
                <AlertTitle>Some items are short</AlertTitle>
                <AlertDescription>
                  {problems.length === 1 ? 'Fix the highlighted item' : `Fix the ${problems.length} highlighted items`} to check out.
                </AlertDescription>
              </Alert>
            )}
            {/* a button (not a link) so it can be disabled while a line is short */}
            <Button
              size="lg"
              className="w-full"
              disabled={problems.length > 0}
              aria-describedby={problems.length > 0 ? 'cart-blocked' : undefined}
              onClick={() => void navigate({ to: '/checkout' })}
            >
              Checkout <ArrowRight aria-hidden="true" />
            </Button>
            <Button asChild variant="link" className="w-full">
              <Link to="/">Continue shopping</Link>
            </Button>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

function CartLineRow({ line, item, problem }: { line: CartLine; item: MenuItem | undefined; problem: StockProblem | undefined }) {
  const cart = useCart();
  const toast = useToast();
  const unitPrice = item?.priceCents ?? line.unitPriceCents;
  const name = item?.name ?? line.name;
  const inputId = `qty-${line.menuItemId}`;
  const problemId = `qty-${line.menuItemId}-problem`;
  const max = Math.min(MAX_LINE_QUANTITY, item?.stock ?? MAX_LINE_QUANTITY);
  // what the user is typing: may be empty mid-edit; every number typed is applied at once
  const [draft, setDraft] = useState(String(line.quantity));
  useEffect(() => setDraft(String(line.quantity)), [line.quantity]);

  const change = (text: string) => {
    setDraft(text);
    const value = Number.parseInt(text, 10);
    if (!Number.isNaN(value)) cart.setQuantity(line.menuItemId, value);
  };
  const remove = () => {
    cart.remove(line.menuItemId);
    toast({ title: `Removed ${name} from cart` });
  };

  return (
    <li className="p-4 sm:p-5" data-testid="cart-line" data-menu-item-id={line.menuItemId} data-invalid={problem ? true : undefined}>
      <div className="flex flex-wrap items-start gap-x-4 gap-y-3">
        <div className="min-w-0 flex-1 basis-48">
          <h3 className="font-bold">{name}</h3>
          <p className="mt-0.5 text-sm text-muted-foreground tabular-nums">{formatCents(unitPrice)} each</p>
          {item && (
            <div className="mt-2">
              <StockBadge stock={item.stock} />
            </div>
          )}
        </div>
        <div className="flex items-center gap-3">
          <div className="flex items-center rounded-md border border-input bg-card shadow-xs">
            <Button
              variant="ghost"
              size="icon"
              className="rounded-r-none"
              aria-label={`Decrease ${name} quantity`}
              disabled={line.quantity <= 1}
              onClick={() => cart.setQuantity(line.menuItemId, line.quantity - 1)}
            >
              <Minus aria-hidden="true" />
            </Button>
            <label htmlFor={inputId} className="sr-only">
              Quantity of {name}
            </label>
            <input
              id={inputId}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_LINE_QUANTITY}
              step={1}
              value={draft}
              onChange={(e) => change(e.target.value)}
              onBlur={() => setDraft(String(line.quantity))}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
              className="h-10 w-14 border-x border-input bg-transparent text-center font-semibold tabular-nums [appearance:textfield] focus-visible:outline-3 focus-visible:outline-offset-0 focus-visible:outline-ring aria-invalid:bg-destructive-soft aria-invalid:text-destructive [&::-webkit-inner-spin-button]:appearance-none [&::-webkit-outer-spin-button]:appearance-none"
            />
            <Button
              variant="ghost"
              size="icon"
              className="rounded-l-none"
              aria-label={`Increase ${name} quantity`}
              disabled={line.quantity >= max}
              onClick={() => cart.setQuantity(line.menuItemId, line.quantity + 1)}
            >
              <Plus aria-hidden="true" />
            </Button>
          </div>
          <p className="w-20 text-right font-bold tabular-nums">{formatCents(unitPrice * line.quantity)}</p>
          <Button variant="destructive" size="icon" aria-label={`Remove ${name} from cart`} onClick={remove}>
            <Trash2 aria-hidden="true" />
          </Button>
        </div>
      </div>
      {problem && (
        <p id={problemId} className="mt-3 flex items-start gap-2 rounded-md bg-destructive-soft px-3 py-2 text-sm font-medium text-destructive-strong" data-testid="stock-problem">
          <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-destructive" />
          {describeStockProblem(problem)}
        </p>
      )}
    </li>
  );
}

function EmptyCart() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-16 text-center">
      <div className="grid size-20 place-items-center rounded-full bg-secondary text-secondary-foreground" aria-hidden="true">
        <ShoppingBag className="size-9" />
      </div>
      <h1 className="mt-6 text-3xl font-extrabold tracking-tight font-display">Your cart is empty</h1>
      <p className="mt-3 text-muted-foreground">Hungry? Our pizzas are fresh out of the oven.</p>
      <Button asChild size="lg" className="mt-8">
        <Link to="/">Browse the menu</Link>
      </Button>
    </div>
  );
}

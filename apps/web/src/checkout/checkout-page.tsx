import { Link, useNavigate } from '@tanstack/react-router';
import { CircleAlert, Lock, ShoppingBag, TriangleAlert } from 'lucide-react';
import { useRef, useState, type FormEvent } from 'react';
import { cartSubtotalCents } from '@/cart/cart';
import { useCart } from '@/cart/cart-context';
import { describeStockProblem, findStockProblems } from '@/cart/stock-check';
import { PageHeader } from '@/components/page-header';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Separator } from '@/components/ui/separator';
import { Spinner } from '@/components/ui/spinner';
import { readApiError, type ApiFailure } from '@/lib/api-error';
import { useDocumentTitle } from '@/lib/document-title';
import { formatCents } from '@/lib/money';
import { useMenu } from '@/menu/use-menu';
import {
  CUSTOMER_FIELDS,
  EMPTY_CUSTOMER,
  customerErrorsFromIssues,
  validateCustomer,
  validateCustomerField,
  type CustomerErrors,
  type CustomerField,
  type CustomerValues,
} from './customer-form';
import { usePlaceOrder } from './use-place-order';

const FIELD_PROPS: Record<CustomerField, { label: string; type: string; autoComplete: string; inputMode?: 'tel'; placeholder: string }> = {
  name: { label: 'Name', type: 'text', autoComplete: 'name', placeholder: 'e.g. Ada Lovelace' },
  phone: { label: 'Phone', type: 'tel', autoComplete: 'tel', inputMode: 'tel', placeholder: 'e.g. +353 1 234 5678' },
  address: { label: 'Address', type: 'text', autoComplete: 'street-address', placeholder: 'e.g. 12 Oven Lane, Dublin' },
};

export function CheckoutPage() {
  useDocumentTitle('Checkout');
  const cart = useCart();
  const menu = useMenu();
  const navigate = useNavigate();
  const placeOrder = usePlaceOrder();
  const [values, setValues] = useState<CustomerValues>(EMPTY_CUSTOMER);
  const [errors, setErrors] = useState<CustomerErrors>({});
  const inputs = useRef<Partial<Record<CustomerField, HTMLInputElement | null>>>({});

  const failure = placeOrder.error ? readApiError(placeOrder.error) : null;
  const stockProblems = menu.data ? findStockProblems(cart.lines, menu.byId) : [];
  const subtotal = cartSubtotalCents(cart.lines, menu.byId);

  if (placeOrder.isSuccess) return <p role="status" className="py-16 text-center text-muted-foreground">Order placed — opening tracking…</p>;
  if (cart.lines.length === 0) return <EmptyCheckout />;

  const onChange = (field: CustomerField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    // once a field shows an error, re-check as the user types so it clears the moment it is fixed
    if (errors[field]) setErrors((e) => ({ ...e, [field]: validateCustomerField(field, value) }));
  };
  const onBlur = (field: CustomerField) => {
    // an untouched empty field is not an error yet; it becomes one on submit
    if (values[field] === '' && !errors[field]) return;
    setErrors((e) => ({ ...e, [field]: validateCustomerField(field, values[field]) }));
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (placeOrder.isPending) return;
    const result = validateCustomer(values);
    if (!result.ok) {
      setErrors(result.errors);
      const first = CUSTOMER_FIELDS.find((f) => result.errors[f]);
      if (first) inputs.current[first]?.focus();
      return;
    }
    setErrors({});
    placeOrder.mutate(
      { customer: result.customer, items: cart.lines.map((l) => ({ menuItemId: l.menuItemId, quantity: l.quantity })) },
      {
        onSuccess: (order) => {
          cart.clear();
          void navigate({ to: '/orders/$orderId', params: { orderId: order.id } });
        },
        onError: (error) => {
          const fieldErrors = customerErrorsFromIssues(readApiError(error).issues);
          if (Object.keys(fieldErrors).length > 0) setErrors(fieldErrors);
        },
      },
    );
  };

  return (
    <>
      <PageHeader title="Checkout" description="Tell us where to bring it. You pay the courier on delivery." />
      <div className="grid items-start gap-6 lg:grid-cols-[1fr_24rem]">
        <Card>
          <CardHeader>
            <CardTitle>Delivery details</CardTitle>
          </CardHeader>
          <CardContent>
            <form noValidate onSubmit={onSubmit} className="grid gap-5" aria-label="Delivery details">
              {failure && <SubmitFailure failure={failure} />}
              {CUSTOMER_FIELDS.map((field) => {
                const props = FIELD_PROPS[field];
                const id = `checkout-${field}`;
                const error = errors[field];
                return (
                  <div key={field} className="grid gap-2">
                    <Label htmlFor={id}>{props.label}</Label>
                    <Input
                      ref={(el) => {
                        inputs.current[field] = el;
                      }}
                      id={id}
                      name={field}
                      type={props.type}
                      inputMode={props.inputMode}
                      autoComplete={props.autoComplete}
                      placeholder={props.placeholder}
                      value={values[field]}
                      onChange={(e) => onChange(field, e.target.value)}
                      onBlur={() => onBlur(field)}
                      aria-required="true"
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `${id}-error` : undefined}
                    />
                    {error && (
                      <p id={`${id}-error`} className="flex items-start gap-1.5 text-sm font-medium text-destructive">
                        <CircleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
                        {error}
                      </p>
                    )}
                  </div>
                );
              })}
              <Button type="submit" size="lg" className="mt-1 w-full sm:w-auto sm:justify-self-start" disabled={placeOrder.isPending}>
                {placeOrder.isPending ? (
                  <>
                    <Spinner /> Placing order…
                  </>
                ) : (
                  <>
                    <Lock aria-hidden="true" /> Place order
                  </>
                )}
              </Button>
              {/* below the button: a live stock push must never move the button under a click in progress */}
              {!failure && stockProblems.length > 0 && (
                <Alert variant="info">
                  <TriangleAlert aria-hidden="true" />
                  <AlertTitle>Stock has changed</AlertTitle>
                  <AlertDescription>
                    <ul className="list-disc pl-4">
                      {stockProblems.map((p) => (
                        <li key={p.menuItemId}>{describeStockProblem(p)}</li>
                      ))}
                    </ul>
                    <Link to="/cart" className="mt-2 inline-block font-semibold underline underline-offset-4">
                      Update your cart
                    </Link>
                  </AlertDescription>
                </Alert>
              )}
              <p className="sr-only" role="status" aria-live="polite">
                {placeOrder.isPending ? 'Placing your order…' : ''}
              </p>
            </form>
          </CardContent>
        </Card>

        <Card className="lg:sticky lg:top-24" role="region" aria-labelledby="checkout-summary-heading">
          <CardHeader>
            <CardTitle id="checkout-summary-heading">Order summary</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <ul className="space-y-3 text-sm">
              {cart.lines.map((line) => {
                const item = menu.byId.get(line.menuItemId);
                const price = item?.priceCents ?? line.unitPriceCents;
                const problem = stockProblems.find((p) => p.menuItemId === line.menuItemId);
                return (
                  <li key={line.menuItemId} className="flex justify-between gap-3">
                    <span className="min-w-0">
                      <span className="font-semibold tabular-nums">{line.quantity} ×</span> {item?.name ?? line.name}
                      {problem && (
                        <span className="block text-xs font-semibold text-destructive">
                          {problem.kind === 'not_enough' ? `Only ${problem.available} left` : problem.kind === 'sold_out' ? 'Sold out' : 'No longer on the menu'}
                        </span>
                      )}
                    </span>
                    <span className="tabular-nums">{formatCents(price * line.quantity)}</span>
                  </li>
                );
              })}
            </ul>
            <Separator />
            <div className="flex justify-between text-base font-bold">
              <span>Total</span>
              <span className="tabular-nums" data-testid="checkout-total">
                {formatCents(subtotal)}
              </span>
            </div>
            <Button asChild variant="link" className="h-auto px-0">
              <Link to="/cart">Edit cart</Link>
            </Button>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

const FAILURE_TITLE: Partial<Record<NonNullable<ApiFailure['appCode']>, string>> = {
  INSUFFICIENT_STOCK: 'Not enough stock',
  UNKNOWN_MENU_ITEM: 'An item is no longer on the menu',
  VALIDATION_ERROR: 'Please check your details',
  RATE_LIMITED: 'Too many orders at once',
};

function SubmitFailure({ failure }: { failure: ApiFailure }) {
  const stock = failure.appCode === 'INSUFFICIENT_STOCK' || failure.appCode === 'UNKNOWN_MENU_ITEM';
  return (
    <Alert variant="destructive" role="alert" data-testid="checkout-error">
      <TriangleAlert aria-hidden="true" />
      <AlertTitle>{(failure.appCode && FAILURE_TITLE[failure.appCode]) ?? 'We couldn’t place your order'}</AlertTitle>
      <AlertDescription>
        <p>{failure.message}</p>
        {stock && (
          <p className="mt-1">
            Your cart is saved.{' '}
            <Link to="/cart" className="font-semibold underline underline-offset-4">
              Update your cart
            </Link>{' '}
            and try again.
          </p>
        )}
      </AlertDescription>
    </Alert>
  );
}

function EmptyCheckout() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-16 text-center">
      <div className="grid size-20 place-items-center rounded-full bg-secondary text-secondary-foreground" aria-hidden="true">
        <ShoppingBag className="size-9" />
      </div>
      <h1 className="mt-6 text-3xl font-extrabold tracking-tight font-display">Nothing to check out yet</h1>
      <p className="mt-3 text-muted-foreground">Add something delicious to your cart first.</p>
      <Button asChild size="lg" className="mt-8">
        <Link to="/">Browse the menu</Link>
      </Button>
    </div>
  );
}

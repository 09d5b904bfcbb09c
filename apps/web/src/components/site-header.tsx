import { Link } from '@tanstack/react-router';
import { Pizza, ShoppingBag, Wrench } from 'lucide-react';
import { useCart } from '@/cart/cart-context';
import { cn } from '@/lib/cn';
import { ThemeToggle } from './theme-toggle';

const navLink =
  'inline-flex h-10 items-center gap-2 rounded-md px-2.5 text-sm font-semibold text-foreground/85 transition-colors hover:bg-accent hover:text-foreground sm:px-3 ' +
  'data-[status=active]:bg-secondary data-[status=active]:text-secondary-foreground';

export function SiteHeader() {
  const { count } = useCart();
  return (
    <header className="sticky top-0 z-40 border-b bg-background/90 backdrop-blur supports-[backdrop-filter]:bg-background/75">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-2 px-4 sm:px-6">
        <Link to="/" className="flex min-w-0 items-center gap-2 rounded-md py-1 pr-1 font-extrabold tracking-tight">
          <span className="grid size-9 shrink-0 place-items-center rounded-full bg-primary text-primary-foreground shadow-sm" aria-hidden="true">
            <Pizza className="size-5" />
          </span>
          <span className="text-lg whitespace-nowrap font-display">
            Pizza <span className="text-primary">Express</span>
          </span>
        </Link>
        <nav aria-label="Main" className="flex items-center gap-0.5 sm:gap-1">
          <Link to="/" className={cn(navLink, 'hidden sm:inline-flex')} activeOptions={{ exact: true }}>
            Menu
          </Link>
          <Link to="/dev" className={navLink}>
            <Wrench aria-hidden="true" className="size-4" />
            {/* icon-only on phones; the name stays "Dev tools" for everyone */}
            <span className="sr-only sm:not-sr-only">Dev tools</span>
          </Link>
          <Link to="/cart" className={navLink} data-testid="cart-link">
            <ShoppingBag aria-hidden="true" className="size-4" />
            Cart
            <span
              aria-hidden="true"
              data-testid="cart-count"
              className={cn(
                'grid h-5 min-w-5 place-items-center rounded-full px-1.5 text-xs font-bold tabular-nums',
                count > 0 ? 'bg-primary text-primary-foreground' : 'bg-muted text-muted-foreground',
              )}
            >
              {count}
            </span>
            <span className="sr-only">{count === 1 ? ' (1 item)' : ` (${count} items)`}</span>
          </Link>
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}

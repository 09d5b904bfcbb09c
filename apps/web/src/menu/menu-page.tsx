import { MENU_CATEGORIES, type MenuItem } from '@pizza/contracts';
import { Flame, RefreshCw, TimerReset, TriangleAlert } from 'lucide-react';
import { memo, useDeferredValue } from 'react';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { useDocumentTitle } from '@/lib/document-title';
import { CATEGORY_INFO } from './category';
import { MenuItemCard } from './menu-item-card';
import { useMenu } from './use-menu';

export function MenuPage() {
  useDocumentTitle('Menu');
  const menu = useMenu();
  // the cards render at a lower priority than the update that brought their data: a render the
  // browser can interrupt (for input, for painting) instead of one long task
  const items = useDeferredValue(menu.data);

  return (
    <>
      <section aria-labelledby="menu-title" className="relative mb-10 overflow-hidden rounded-2xl bg-gradient-to-br from-[#b3261e] via-[#c2410c] to-[#d97706] px-6 py-8 text-white shadow-card sm:px-10 sm:py-12">
        <div className="relative z-10 max-w-xl">
          <p className="inline-flex items-center gap-1.5 rounded-full bg-white/15 px-3 py-1 text-xs font-semibold tracking-wide uppercase">
            <Flame aria-hidden="true" className="size-3.5" /> Fresh from the oven
          </p>
          <h1 id="menu-title" className="mt-4 text-4xl font-extrabold tracking-tight font-display sm:text-5xl">
            Our menu
          </h1>
          <p className="mt-3 text-base text-white/90 sm:text-lg">
            Pick your favourites, and follow your order from our oven to your door — live.
          </p>
          <p className="mt-5 inline-flex items-center gap-2 text-sm font-medium text-white/90">
            <TimerReset aria-hidden="true" className="size-4" /> Live stock — updates the moment someone orders.
          </p>
        </div>
        <svg aria-hidden="true" viewBox="0 0 200 200" className="absolute -right-16 -bottom-20 size-72 opacity-20 sm:-right-6 sm:size-80">
          <circle cx="100" cy="100" r="95" fill="#fde68a" />
          <circle cx="100" cy="100" r="80" fill="#f59e0b" />
          {[[70, 70], [130, 80], [95, 125], [60, 120], [140, 130], [105, 50]].map(([cx, cy]) => (
            <circle key={`${cx}-${cy}`} cx={cx} cy={cy} r="11" fill="#7f1d1d" />
          ))}
        </svg>
      </section>

      {menu.isError ? (
        <Alert variant="destructive" role="alert" className="max-w-2xl">
          <TriangleAlert aria-hidden="true" />
          <AlertTitle>We couldn’t load the menu</AlertTitle>
          <AlertDescription>
            <p>The kitchen isn’t answering right now. {menu.error.message}</p>
            <Button variant="outline" size="sm" className="mt-3" onClick={() => void menu.refetch()}>
              <RefreshCw aria-hidden="true" /> Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : items ? (
        <MenuSections items={items} />
      ) : (
        <MenuSkeleton />
      )}
    </>
  );
}

const MenuSections = memo(function MenuSections({ items }: { items: MenuItem[] }) {
  const categories = MENU_CATEGORIES.filter((c) => items.some((i) => i.category === c));
  return (
    <>
      <nav aria-label="Menu categories" className="-mx-1 mb-8 flex gap-2 overflow-x-auto px-1 pb-1">
        {categories.map((c) => (
          <a
            key={c}
            href={`#${c}`}
            className="inline-flex h-10 shrink-0 items-center rounded-full border bg-card px-4 text-sm font-semibold shadow-xs hover:bg-accent"
          >
            {CATEGORY_INFO[c].title}
          </a>
        ))}
      </nav>
      <div className="space-y-12">
        {categories.map((category) => {
          const info = CATEGORY_INFO[category];
          return (
            <section key={category} id={category} aria-labelledby={`${category}-heading`}>
              <div className="mb-4">
                <h2 id={`${category}-heading`} className="text-2xl font-extrabold tracking-tight font-display">
                  {info.title}
                </h2>
                <p className="mt-1 text-sm text-muted-foreground">{info.blurb}</p>
              </div>
              <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                {items
                  .filter((i) => i.category === category)
                  .map((item) => (
                    <li key={item.id} className="flex">
                      <MenuItemCard item={item} />
                    </li>
                  ))}
              </ul>
            </section>
          );
        })}
      </div>
    </>
  );
});

function MenuSkeleton() {
  return (
    <div role="status" aria-label="Loading the menu" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="rounded-lg border bg-card p-5 shadow-card">
          <div className="flex gap-4">
            <Skeleton className="size-14 rounded-xl" />
            <div className="flex-1 space-y-2">
              <Skeleton className="h-5 w-2/3" />
              <Skeleton className="h-4 w-1/3" />
            </div>
          </div>
          <Skeleton className="mt-4 h-4 w-full" />
          <Skeleton className="mt-2 h-4 w-4/5" />
          <Skeleton className="mt-5 ml-auto h-10 w-32" />
        </div>
      ))}
    </div>
  );
}

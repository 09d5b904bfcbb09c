import { Outlet, createRootRoute, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { NotFound } from '@/components/not-found';
import { SiteHeader } from '@/components/site-header';

export const Route = createRootRoute({
  component: RootLayout,
  notFoundComponent: () => <NotFound />,
});

function RootLayout() {
  useFocusMainOnNavigation();
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-primary px-4 py-2 font-semibold text-primary-foreground focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <SiteHeader />
      {/* at least a screen below the header: the footer starts below the fold, so a page that fills in
          (its route chunk, then its data) never pushes it down (no layout shift) */}
      <main id="main" tabIndex={-1} className="mx-auto min-h-[calc(100dvh-4rem)] w-full max-w-6xl flex-1 px-4 py-8 outline-none sm:px-6 sm:py-10">
        <Outlet />
      </main>
      <footer className="border-t">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-6 text-sm text-muted-foreground sm:px-6">
          <p>© Pizza Express — baked to order, tracked live.</p>
          <p>Prices include VAT.</p>
        </div>
      </footer>
    </div>
  );
}

/** After a client-side navigation, move focus to the new page (as a full page load would) for keyboard and screen-reader users. */
function useFocusMainOnNavigation() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { CartProvider } from './cart/cart-context';
import { Toaster } from './components/toaster';
import { createQueryClientOptions } from './lib/query-client';
import { initTheme } from './lib/theme';
import { createTrpcClient, trpc } from './lib/trpc';
import { router } from './router';
import './index.css';

initTheme();
const queryClient = new QueryClient(createQueryClientOptions());
const trpcClient = createTrpcClient();

// As a transition, the first render yields to the browser every few milliseconds instead of
// holding the main thread until the whole page is built.
const root = createRoot(document.getElementById('root')!);
startTransition(() =>
  root.render(
    <StrictMode>
      <trpc.Provider client={trpcClient} queryClient={queryClient}>
        <QueryClientProvider client={queryClient}>
          <CartProvider>
            <Toaster>
              <RouterProvider router={router} />
            </Toaster>
          </CartProvider>
        </QueryClientProvider>
      </trpc.Provider>
    </StrictMode>,
  ),
);

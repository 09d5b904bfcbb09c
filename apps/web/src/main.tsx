import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
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

createRoot(document.getElementById('root')!).render(
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
);

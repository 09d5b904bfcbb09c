import type { MenuItem } from '@pizza/contracts';
import { createContext, useContext, useEffect, useMemo, useReducer, type ReactNode } from 'react';
import { cartCount, cartReducer, type CartLine } from './cart';
import { CART_STORAGE_KEY, loadCart, parseStoredCart, saveCart } from './cart-storage';

interface CartContextValue {
  lines: CartLine[];
  count: number;
  add(item: MenuItem): void;
  setQuantity(menuItemId: string, quantity: number): void;
  remove(menuItemId: string): void;
  clear(): void;
}

const CartContext = createContext<CartContextValue | null>(null);

/** The cart lives in localStorage: it survives reloads and stays in step across tabs. */
export function CartProvider({ children }: { children: ReactNode }) {
  const [state, dispatch] = useReducer(cartReducer, undefined, () => loadCart());

  useEffect(() => saveCart(state), [state]);

  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === CART_STORAGE_KEY) dispatch({ type: 'replace', state: parseStoredCart(event.newValue) });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const value = useMemo<CartContextValue>(
    () => ({
      lines: state.lines,
      count: cartCount(state),
      add: (item) => dispatch({ type: 'add', item }),
      setQuantity: (menuItemId, quantity) => dispatch({ type: 'setQuantity', menuItemId, quantity }),
      remove: (menuItemId) => dispatch({ type: 'remove', menuItemId }),
      clear: () => dispatch({ type: 'clear' }),
    }),
    [state],
  );

  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartContextValue {
  const cart = useContext(CartContext);
  if (!cart) throw new Error('useCart must be used inside <CartProvider>');
  return cart;
}

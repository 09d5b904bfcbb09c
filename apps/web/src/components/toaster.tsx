import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { Toast, type ToastVariant } from './ui/toast';

interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  variant: ToastVariant;
}

type ShowToast = (message: { title: string; description?: string; variant?: ToastVariant }) => void;

const ToastContext = createContext<ShowToast | null>(null);
const MAX_VISIBLE = 2;
const DURATION_MS = 4_000;
let nextId = 1;

/**
 * Transient notifications (cart updates). The list is a polite live region that is always in
 * the page, so screen readers announce each toast as it appears.
 */
export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastMessage[]>([]);
  const show = useCallback<ShowToast>((message) => {
    setToasts((current) => [...current, { variant: 'default' as const, ...message, id: nextId++ }].slice(-MAX_VISIBLE));
  }, []);
  const dismiss = (id: number) => setToasts((current) => current.filter((t) => t.id !== id));

  return (
    <ToastContext.Provider value={show}>
      {children}
      <section aria-label="Notifications" className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex justify-end p-4 sm:right-2 sm:bottom-2">
        <div role="status" aria-live="polite" className="w-full max-w-sm">
          <ol className="flex flex-col gap-2">
            {toasts.map((t) => (
              <Toast key={t.id} title={t.title} description={t.description} variant={t.variant} durationMs={DURATION_MS} onDismiss={() => dismiss(t.id)} />
            ))}
          </ol>
        </div>
      </section>
    </ToastContext.Provider>
  );
}

export function useToast(): ShowToast {
  const show = useContext(ToastContext);
  if (!show) throw new Error('useToast must be used inside <Toaster>');
  return show;
}

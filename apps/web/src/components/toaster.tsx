import { CircleAlert, CircleCheck } from 'lucide-react';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { Toast, ToastClose, ToastDescription, ToastProvider, ToastTitle, ToastViewport, type ToastVariant } from './ui/toast';

interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  variant: ToastVariant;
}

type ShowToast = (message: Omit<ToastMessage, 'id' | 'variant'> & { variant?: ToastVariant }) => void;

const ToastContext = createContext<ShowToast | null>(null);
const MAX_VISIBLE = 3;
let nextId = 1;

/**
 * Transient notifications (cart updates, errors). Radix announces each one through its own
 * polite live region, so screen-reader users hear what sighted users see.
 */
export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastMessage[]>([]);

  const show = useCallback<ShowToast>((message) => {
    setToasts((current) => [...current, { variant: 'default', ...message, id: nextId++ }].slice(-MAX_VISIBLE));
  }, []);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((t) => t.id !== id)), []);

  return (
    <ToastContext.Provider value={show}>
      <ToastProvider duration={3500} swipeDirection="right" label="Notifications">
        {children}
        {toasts.map((t) => (
          <Toast key={t.id} variant={t.variant} onOpenChange={(open) => !open && dismiss(t.id)}>
            {t.variant === 'destructive' ? (
              <CircleAlert aria-hidden="true" className="mt-0.5 size-5 shrink-0" />
            ) : (
              <CircleCheck aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-success" />
            )}
            <div className="grid gap-0.5">
              <ToastTitle>{t.title}</ToastTitle>
              {t.description && <ToastDescription>{t.description}</ToastDescription>}
            </div>
            <ToastClose />
          </Toast>
        ))}
        <ToastViewport />
      </ToastProvider>
    </ToastContext.Provider>
  );
}

export function useToast(): ShowToast {
  const show = useContext(ToastContext);
  if (!show) throw new Error('useToast must be used inside <Toaster>');
  return show;
}


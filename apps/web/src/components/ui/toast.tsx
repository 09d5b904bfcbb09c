import { cva, type VariantProps } from 'class-variance-authority';
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { cn } from '@/lib/cn';

const toastVariants = cva(
  // click-through except the close button: a toast never blocks the page under it
  'pointer-events-none relative flex w-full items-start gap-3 rounded-lg border p-4 pr-11 shadow-lg animate-toast-in',
  {
    variants: {
      variant: {
        default: 'border-border bg-card text-foreground [&>svg]:text-muted-foreground',
        success: 'border-success-border bg-success-tint text-foreground [&>svg]:text-success',
        destructive: 'border-destructive-border bg-destructive-soft text-destructive-strong [&>svg]:text-destructive',
      },
    },
    defaultVariants: { variant: 'default' },
  },
);

export type ToastVariant = NonNullable<VariantProps<typeof toastVariants>['variant']>;

const ICON = { default: Info, success: CircleCheck, destructive: CircleAlert } as const;

interface ToastProps {
  title: string;
  description?: ReactNode;
  variant?: ToastVariant;
  /** Auto-dismiss after this long; paused while focus is on the toast. */
  durationMs: number;
  onDismiss(): void;
}

/** One notification card. Render inside a live region (see Toaster) so it is announced. */
export function Toast({ title, description, variant = 'default', durationMs, onDismiss }: ToastProps) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const dismiss = useRef(onDismiss);
  useEffect(() => {
    dismiss.current = onDismiss;
  });
  const start = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => dismiss.current(), durationMs);
  };
  const pause = () => clearTimeout(timer.current);
  useEffect(() => {
    start(); // once per toast
    return pause;
  }, []);

  const Icon = ICON[variant];
  return (
    <li
      className={toastVariants({ variant })}
      onFocus={pause}
      onBlur={start}
      data-testid="toast"
    >
      <Icon aria-hidden="true" className="mt-0.5 size-5 shrink-0" />
      <div className="grid min-w-0 gap-0.5">
        <p className="text-sm font-semibold">{title}</p>
        {description && <div className="text-sm opacity-90">{description}</div>}
      </div>
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Dismiss notification"
        className={cn(
          'pointer-events-auto absolute top-2.5 right-2.5 rounded-md p-1.5 text-muted-foreground hover:bg-muted hover:text-foreground',
          'focus-visible:outline-3 focus-visible:outline-ring',
        )}
      >
        <X aria-hidden="true" className="size-4" />
      </button>
    </li>
  );
}

import { useEffect, useState, type ComponentProps, type ReactNode } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { cn } from '@/lib/cn';
import { statusOf } from './admin-api';

/** A labelled form control; `hint` is tied to the control with aria-describedby by the caller. */
export function Field({ id, label, children, className }: { id: string; label: string; children: ReactNode; className?: string }) {
  return (
    <div className={cn('grid min-w-0 gap-1.5', className)}>
      <Label htmlFor={id}>{label}</Label>
      {children}
    </div>
  );
}

/** A native select styled like the inputs (keyboard and screen readers work as everywhere). */
export function Select({ className, ...props }: ComponentProps<'select'>) {
  return (
    <select
      className={cn(
        'flex h-11 w-full min-w-0 rounded-md border border-input bg-card px-3 py-2 text-base shadow-xs',
        'focus-visible:border-ring focus-visible:outline-3 focus-visible:outline-offset-0 focus-visible:outline-ring/30',
        className,
      )}
      {...props}
    />
  );
}

/** One control-room panel: a card with a heading and a polite live region for what the last action did. */
export function Panel({ id, title, description, status, error, children, className, testId }: {
  id: string;
  title: string;
  description: ReactNode;
  /** Announced to screen readers when it changes. */
  status: string;
  /** The last failure (role=alert); null when the last action went well. */
  error: string | null;
  children: ReactNode;
  className?: string;
  testId: string;
}) {
  return (
    <Card role="region" aria-labelledby={`${id}-title`} data-testid={testId} className={cn('min-w-0', className)}>
      <CardHeader>
        <CardTitle as="h3" id={`${id}-title`}>
          {title}
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {children}
        <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground" data-testid={`${testId}-status`}>
          {status}
        </p>
        {error && (
          <p role="alert" className="rounded-md border border-destructive-border bg-destructive-soft px-3 py-2 text-sm break-words text-destructive-strong">
            {error}
          </p>
        )}
      </CardContent>
    </Card>
  );
}

/** The clock, ticking every `everyMs` (for countdowns). */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Admin queries: a 4xx (refused, not found, bad input) is final; network trouble and 5xx get two more tries. */
export const adminRetry = (failures: number, error: unknown) => {
  const status = statusOf(error);
  return failures < 2 && !(status !== null && status >= 400 && status < 500);
};

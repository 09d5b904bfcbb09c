import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/cn';

const alertVariants = cva(
  'relative grid w-full grid-cols-[0_1fr] items-start gap-y-1 rounded-lg border px-4 py-3 text-sm has-[>svg]:grid-cols-[1.25rem_1fr] has-[>svg]:gap-x-3 [&>svg]:mt-0.5 [&>svg]:size-5',
  {
    variants: {
      variant: {
        default: 'border-border bg-card text-foreground',
        info: 'border-warning-border bg-warning-soft text-warning-strong',
        destructive: 'border-destructive-border bg-destructive-soft text-destructive-strong [&>svg]:text-destructive',
        success: 'border-success-border bg-success-soft text-success-strong',
      },
    },
    defaultVariants: { variant: 'default' },
  },
);

/** A message box. Pass role="alert" for errors that appear after an action (screen readers announce them). */
export function Alert({ className, variant, ...props }: ComponentProps<'div'> & VariantProps<typeof alertVariants>) {
  return <div data-slot="alert" className={cn(alertVariants({ variant }), className)} {...props} />;
}

export function AlertTitle({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="alert-title" className={cn('col-start-2 font-semibold', className)} {...props} />;
}

export function AlertDescription({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="alert-description" className={cn('col-start-2 text-sm [&_p]:leading-relaxed', className)} {...props} />;
}

import type { OrderStatus } from '@pizza/contracts';
import { Bike, Check, ChefHat, ClipboardCheck, House, ReceiptText, type LucideIcon } from 'lucide-react';
import { cn } from '@/lib/cn';
import { formatTime } from './time-format';
import type { TimelineStep } from './timeline';

const ICON: Record<OrderStatus, LucideIcon> = {
  created: ReceiptText,
  confirmed: ClipboardCheck,
  preparing: ChefHat,
  out_for_delivery: Bike,
  delivered: House,
};

/** Vertical timeline of the five order steps; the current one is marked aria-current="step". */
export function OrderTimeline({ steps, detail }: { steps: TimelineStep[]; detail?: Partial<Record<OrderStatus, string>> }) {
  return (
    <ol aria-label="Order progress" className="relative" data-testid="order-timeline">
      {steps.map((step, index) => {
        const last = index === steps.length - 1;
        // the journey's end is reached and complete at once: show it filled, like the steps before it
        const complete = step.state === 'done' || (last && step.state === 'current');
        const Icon = complete ? Check : ICON[step.status];
        return (
          <li
            key={step.status}
            data-status={step.status}
            data-state={step.state}
            aria-current={step.state === 'current' ? 'step' : undefined}
            className="relative flex gap-4 pb-7 last:pb-0"
          >
            {!last && (
              <span
                aria-hidden="true"
                className={cn('absolute top-11 bottom-1 left-[1.3rem] w-0.5 rounded-full', step.state === 'done' ? 'bg-primary' : 'bg-border')}
              />
            )}
            <span
              aria-hidden="true"
              className={cn(
                'relative z-10 grid size-11 shrink-0 place-items-center rounded-full border-2 transition-colors',
                complete && 'border-primary bg-primary text-primary-foreground',
                step.state === 'current' && 'ring-4 ring-primary/15',
                step.state === 'current' && !complete && 'border-primary bg-card text-primary',
                step.state === 'upcoming' && 'border-border bg-muted text-muted-foreground',
              )}
            >
              <Icon className="size-5" />
            </span>
            <div
              className={cn(
                'min-w-0 flex-1 rounded-lg px-3 py-2',
                step.state === 'current' && 'bg-secondary/70',
              )}
            >
              <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                <p className={cn('font-bold', step.state === 'upcoming' && 'text-muted-foreground')}>
                  {step.label}
                  {step.state === 'current' && <span className="sr-only"> (current step)</span>}
                  {step.state === 'done' && <span className="sr-only"> (done)</span>}
                </p>
                {step.at ? (
                  <time dateTime={step.at} className="text-sm text-muted-foreground tabular-nums">
                    {formatTime(step.at)}
                  </time>
                ) : (
                  <span className="text-sm text-muted-foreground">{step.state === 'upcoming' ? 'Pending' : ''}</span>
                )}
              </div>
              {detail?.[step.status] && step.state !== 'upcoming' && <p className="mt-0.5 text-sm text-muted-foreground">{detail[step.status]}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

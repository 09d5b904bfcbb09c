import { cn } from '@/lib/cn';
import { useLiveTransport } from '@/lib/live-transport';
import type { ConnectionState } from './use-order-tracking';

const LOOK: Record<ConnectionState, { label: string; dot: string; chip: string }> = {
  live: { label: 'Live', dot: 'bg-live', chip: 'border-success-border bg-success-soft text-success' },
  connecting: { label: 'Connecting…', dot: 'bg-pending', chip: 'border-warning-border bg-warning-soft text-warning' },
  reconnecting: { label: 'Reconnecting…', dot: 'bg-pending', chip: 'border-warning-border bg-warning-soft text-warning' },
  offline: { label: 'Offline', dot: 'bg-idle', chip: 'border-border bg-muted text-muted-foreground' },
};

/** Whether live updates are flowing. A status role so changes are announced politely. */
export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const look = LOOK[state];
  const transport = useLiveTransport();
  return (
    <p
      role="status"
      data-testid="connection-status"
      data-state={state}
      data-transport={transport}
      className={cn('inline-flex h-8 items-center gap-2 rounded-full border px-3 text-sm font-semibold', look.chip)}
    >
      <span className="relative flex size-2.5" aria-hidden="true">
        {state === 'live' && <span className={cn('absolute inline-flex size-full animate-ping rounded-full opacity-60', look.dot)} />}
        <span className={cn('relative inline-flex size-2.5 rounded-full', look.dot)} />
      </span>
      <span className="sr-only">Connection: </span>
      {look.label}
    </p>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, type FormEvent } from 'react';
import { KeyRound } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { adminApi, adminKeys, describeFailure, isRefused, statusOf } from './admin-api';
import { adminRetry, Field } from './control-fields';
import { DeadLettersPanel } from './dead-letters-panel';
import { FaultsPanel } from './faults-panel';
import { LoadPanel } from './load-panel';
import { adminToken, useAdminToken, usePipelineFeed } from './pipeline-feed';
import { StockPanel } from './stock-panel';

/** How often the active faults are read again (their countdown ticks locally every second). */
export const FAULTS_REFRESH_MS = 5_000;

/**
 * The control room: dead letters, faults, the load generator and stock, through the operations
 * API. When the API refuses (401/403) it asks for the admin token, kept for this tab only.
 */
export function ControlRoom() {
  const token = useAdminToken();
  // the active faults double as the access check: when they load, every panel may show
  const faults = useQuery({
    queryKey: adminKeys.faults(token),
    queryFn: () => adminApi.listFaults.query(),
    retry: adminRetry,
    refetchInterval: (query) => (query.state.status === 'success' ? FAULTS_REFRESH_MS : false),
  });
  // the dead-letter list follows the live count of the pipeline feed
  const feed = usePipelineFeed(0);
  const deadLetters = feed.kind === 'live' ? feed.snapshot.deadLetters : null;
  const access = faults.isSuccess ? 'granted' : faults.isError ? (isRefused(faults.error) ? 'refused' : 'failed') : 'checking';
  // once a token is accepted the form goes away: keyboard focus moves to the control room's heading
  const heading = useRef<HTMLHeadingElement>(null);
  const wasRefused = useRef(false);
  useEffect(() => {
    if (access === 'refused') wasRefused.current = true;
    if (access === 'granted' && wasRefused.current) {
      wasRefused.current = false;
      heading.current?.focus();
    }
  }, [access]);

  return (
    <section aria-labelledby="control-room-heading" className="min-w-0 lg:col-span-2" data-testid="control-room" data-access={access}>
      <h2 id="control-room-heading" ref={heading} tabIndex={-1} className="mb-1 text-xl font-extrabold tracking-tight font-display focus:outline-none">
        Control room
      </h2>
      <p className="mb-3 text-sm text-muted-foreground">
        Steer the pipeline: redrive or discard dead letters, switch faults on for a while, run simulated customers, set stock. Every action is
        logged with who and when, and counted in <code>admin_actions_total</code>.
      </p>
      {faults.isPending ? (
        <Skeleton className="h-24 w-full" />
      ) : faults.isError && isRefused(faults.error) ? (
        <AdminTokenForm status={statusOf(faults.error)} />
      ) : faults.isError ? (
        <p role="alert" className="text-sm text-destructive">
          The operations API does not answer: {describeFailure(faults.error)}
        </p>
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          <DeadLettersPanel deadLetters={deadLetters} className="md:col-span-2" />
          <FaultsPanel faults={faults.data} className="md:row-span-2" />
          <LoadPanel />
          <StockPanel />
        </div>
      )}
    </section>
  );
}

/** Asks for the admin token; it goes to sessionStorage (this tab only) and every admin view retries with it. */
function AdminTokenForm({ status }: { status: number | null }) {
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = new FormData(event.currentTarget).get('token');
    if (typeof token === 'string' && token.trim()) adminToken.set(token.trim());
  };
  return (
    <form onSubmit={onSubmit} className="grid max-w-xl gap-3 rounded-lg border bg-card p-5 shadow-card" data-testid="control-room-token">
      <p className="flex items-start gap-2 text-sm">
        <KeyRound aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
        <span>
          The operations API answered HTTP {status ?? '?'}: it needs the admin token (<code>ADMIN_TOKEN</code> of the order service). It is kept
          for this tab only, until the tab closes.
        </span>
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <Field id="control-room-token-input" label="Admin token for the control room" className="min-w-48 flex-1">
          <Input id="control-room-token-input" name="token" type="password" autoComplete="off" required />
        </Field>
        <Button type="submit">Unlock</Button>
      </div>
    </form>
  );
}

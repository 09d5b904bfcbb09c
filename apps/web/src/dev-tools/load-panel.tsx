import type { LoadRun } from '@pizza/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { adminApi, adminKeys, describeFailure, statusOf, stopLoadRun } from './admin-api';
import { adminRetry, Field, Panel, useNow } from './control-fields';
import { useAdminToken } from './pipeline-feed';

/** While a run is running, its counts are read this often. */
export const LOAD_REFRESH_MS = 1_000;

/** The load generator: simulated customers at a steady rate; the achieved rate and counts live; stop at any time. */
export function LoadPanel() {
  const token = useAdminToken();
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: adminKeys.load(token),
    // 404: no run yet in this process
    queryFn: () => adminApi.loadRun.query().catch((error: unknown) => (statusOf(error) === 404 ? null : Promise.reject(error))),
    retry: adminRetry,
    refetchInterval: (query) => (query.state.data?.running ? LOAD_REFRESH_MS : false),
  });
  const [form, setForm] = useState({ ordersPerSecond: '5', durationSeconds: '30', maxItemsPerOrder: '3' });
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const show = (data: LoadRun | null) => queryClient.setQueryData(adminKeys.load(token), data);

  const start = useMutation({
    mutationFn: () =>
      adminApi.startLoad.mutate({
        ordersPerSecond: Number(form.ordersPerSecond),
        durationSeconds: Number(form.durationSeconds),
        maxItemsPerOrder: Number(form.maxItemsPerOrder),
      }),
    onSuccess: (started) => {
      show(started);
      setStatus(`Load run started: ${started.ordersPerSecond} orders/s for ${started.durationSeconds} s.`);
      setFailure(null);
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const stop = useMutation({
    mutationFn: stopLoadRun,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'load'] });
      setStatus('Load run stopped.');
      setFailure(null);
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const current = run.data ?? null;

  return (
    <Panel
      id="load"
      testId="load"
      title="Load generator"
      description="Simulated customers placing orders at a steady rate (they order through the order service, like anyone). Set stock first so a long run does not just sell out."
      status={status}
      error={failure ?? (run.isError ? describeFailure(run.error) : null)}
    >
      <form onSubmit={onSubmit} className="grid gap-3">
        <div className="grid items-end gap-3 sm:grid-cols-3">
          <Field id="load-rate" label="Orders per second">
            <Input id="load-rate" type="number" inputMode="decimal" min={0.1} max={200} step={0.1} required value={form.ordersPerSecond} onChange={set('ordersPerSecond')} />
          </Field>
          <Field id="load-duration" label="For (s)">
            <Input id="load-duration" type="number" inputMode="numeric" min={1} max={600} required value={form.durationSeconds} onChange={set('durationSeconds')} />
          </Field>
          <Field id="load-items" label="Max items per order">
            <Input id="load-items" type="number" inputMode="numeric" min={1} max={5} required value={form.maxItemsPerOrder} onChange={set('maxItemsPerOrder')} />
          </Field>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={start.isPending || current?.running === true}>
            Start load
          </Button>
          <Button variant="outline" disabled={stop.isPending || current?.running !== true} onClick={() => stop.mutate()}>
            Stop
          </Button>
        </div>
      </form>
      {current ? <RunView run={current} /> : <p className="text-sm text-muted-foreground">No run yet in this process.</p>}
    </Panel>
  );
}

function RunView({ run }: { run: LoadRun }) {
  const now = useNow();
  const started = Date.parse(run.startedAt);
  const elapsed = Math.min(run.durationSeconds, Math.max(0, Math.round((now - started) / 1000)));
  const counts: [string, number, string][] = [
    ['Placed', run.placed, 'load-placed'],
    ['Rejected', run.rejected, 'load-rejected'],
    ['Errors', run.errors, 'load-errors'],
  ];
  return (
    <div className="grid gap-3 rounded-md border p-3" data-testid="load-run" data-running={run.running}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Badge variant={run.running ? 'warning' : 'muted'}>{run.running ? 'Running' : 'Finished'}</Badge>
        <span className="text-sm text-muted-foreground tabular-nums">{run.running ? `${elapsed} s of ${run.durationSeconds} s` : `started ${new Date(started).toLocaleTimeString()}`}</span>
      </div>
      <p className="text-sm">
        Achieved{' '}
        <span className="text-2xl font-extrabold tabular-nums" data-testid="load-achieved">
          {run.achievedPerSecond.toFixed(1)}
        </span>{' '}
        orders/s <span className="text-muted-foreground">of {run.ordersPerSecond} asked</span>
      </p>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        {counts.map(([label, value, testId]) => (
          <div key={label} className="rounded-md bg-muted p-2">
            <dt className="text-xs text-muted-foreground">{label}</dt>
            <dd className="text-lg font-bold tabular-nums" data-testid={testId}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

import { FAULT_NAMES, GROUPS, SERVICES, type Fault, type FaultName, type FaultRequest } from '@pizza/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { adminApi, describeFailure } from './admin-api';
import { describeParams, FAULT_FIELDS, faultRequestOf, timeLeft, type FaultForm } from './control-format';
import { Field, Panel, Select, useNow } from './control-fields';

const WHAT_IT_DOES: Record<FaultName, string> = {
  'consumer-failure': 'That share of deliveries to the group fails, retries, then dead-letters.',
  'consumer-delay': 'Every delivery to the group waits before its handler.',
  'outbox-pause': 'The bus refuses the service’s events; its outbox keeps them and retries.',
  'push-delay': 'Status pushes to browsers wait.',
  'bus-outage': 'Publishing fails and consumers stall.',
};
/** Services that publish events (the ones an outbox pause can stop). */
const PUBLISHERS = [SERVICES.order, SERVICES.delivery, SERVICES.simulator];

/** Faults: switch one on with its parameters and TTL; the active ones with their time left; switch off. */
export function FaultsPanel({ faults, className }: { faults: Fault[]; className?: string }) {
  const queryClient = useQueryClient();
  const now = useNow();
  const [name, setName] = useState<FaultName>('consumer-failure');
  const [form, setForm] = useState<FaultForm>({ group: GROUPS.delivery, rate: '1', delayMs: '2000', service: SERVICES.order, seconds: '10', ttlSeconds: '300' });
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'faults'] });

  const switchOn = useMutation({
    // sent as typed: the API checks it and names a wrong field
    mutationFn: () => adminApi.setFault.mutate(faultRequestOf(name, form) as FaultRequest),
    onSuccess: (fault) => {
      setStatus(`${fault.name} is on until ${new Date(fault.expiresAt).toLocaleTimeString()}.`);
      setFailure(null);
      void refresh();
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const switchOff = useMutation({
    mutationFn: (fault: FaultName) => adminApi.clearFault.mutate({ name: fault }),
    onSuccess: (_, fault) => {
      setStatus(`${fault} is off.`);
      setFailure(null);
      void refresh();
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    switchOn.mutate();
  };
  const set = (field: keyof FaultForm) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const active = faults.filter((f) => Date.parse(f.expiresAt) > now);

  return (
    <Panel
      id="faults"
      testId="faults"
      className={className}
      title="Faults"
      description="Switched on for a bounded time in every process of the system; each ends by itself when its time is up."
      status={status}
      error={failure}
    >
      <div>
        <h4 className="mb-2 text-sm font-semibold">Active now</h4>
        {active.length === 0 ? (
          <p className="text-sm text-muted-foreground" data-testid="no-active-fault">
            No fault is on.
          </p>
        ) : (
          <ul className="grid gap-2" aria-label="Active faults">
            {active.map((fault) => (
              <li key={fault.name} data-testid="active-fault" data-fault={fault.name} className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-warning-border bg-warning-soft p-3 text-sm">
                <div className="min-w-0">
                  <p className="font-semibold text-warning-strong">
                    <code>{fault.name}</code>
                  </p>
                  <p className="text-xs break-words text-warning-strong">{describeParams(fault.params)}</p>
                </div>
                <div className="flex items-center gap-2">
                  <Badge variant="warning" className="tabular-nums">
                    ends in <time dateTime={fault.expiresAt}>{timeLeft(fault.expiresAt, now)}</time>
                  </Badge>
                  <Button size="sm" variant="outline" disabled={switchOff.isPending} onClick={() => switchOff.mutate(fault.name)}>
                    Switch off<span className="sr-only">{` ${fault.name}`}</span>
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>

      <form onSubmit={onSubmit} className="grid gap-3 border-t pt-4" aria-labelledby="fault-form-title">
        <h4 id="fault-form-title" className="text-sm font-semibold">
          Switch a fault on
        </h4>
        <Field id="fault-name" label="Fault">
          <Select id="fault-name" value={name} onChange={(e) => setName(e.target.value as FaultName)} aria-describedby="fault-what">
            {FAULT_NAMES.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </Select>
        </Field>
        <p id="fault-what" className="-mt-1 text-xs text-muted-foreground">
          {WHAT_IT_DOES[name]}
        </p>
        <div className="grid items-end gap-3 sm:grid-cols-2">
          {FAULT_FIELDS[name].map((field) =>
            field === 'group' ? (
              <Field key={field} id="fault-group" label="Consumer group">
                <Select id="fault-group" value={form.group} onChange={set('group')}>
                  {Object.values(GROUPS).map((g) => (
                    <option key={g}>{g}</option>
                  ))}
                </Select>
              </Field>
            ) : field === 'service' ? (
              <Field key={field} id="fault-service" label="Service">
                <Select id="fault-service" value={form.service} onChange={set('service')}>
                  {PUBLISHERS.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </Select>
              </Field>
            ) : field === 'rate' ? (
              <Field key={field} id="fault-rate" label="Failure rate (0 to 1)">
                <Input id="fault-rate" type="number" inputMode="decimal" min={0} max={1} step={0.05} value={form.rate} onChange={set('rate')} />
              </Field>
            ) : field === 'delayMs' ? (
              <Field key={field} id="fault-delay" label="Delay (ms, 1 to 60000)">
                <Input id="fault-delay" type="number" inputMode="numeric" min={1} max={60_000} value={form.delayMs} onChange={set('delayMs')} />
              </Field>
            ) : (
              <Field key={field} id="fault-seconds" label="Outage (s, 1 to 60)">
                <Input id="fault-seconds" type="number" inputMode="numeric" min={1} max={60} value={form.seconds} onChange={set('seconds')} />
              </Field>
            ),
          )}
          <Field id="fault-ttl" label="For (s, 1 to 3600)">
            <Input id="fault-ttl" type="number" inputMode="numeric" min={1} max={3600} value={form.ttlSeconds} onChange={set('ttlSeconds')} />
          </Field>
        </div>
        <Button type="submit" className="justify-self-start" disabled={switchOn.isPending}>
          Switch on
        </Button>
      </form>
    </Panel>
  );
}

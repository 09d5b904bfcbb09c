import { GROUPS, STREAMS } from '@pizza/contracts';
import type { RouterOutputs } from '@/lib/trpc';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { adminApi, adminKeys, describeFailure } from './admin-api';
import { envelopeSummary } from './control-format';
import { adminRetry, Field, Panel, Select } from './control-fields';
import { useAdminToken } from './pipeline-feed';

const STREAM_NAMES = Object.values(STREAMS).filter((s) => s !== STREAMS.deadLetters);
const GROUP_NAMES = Object.values(GROUPS);
/** Dead letters shown at once (the oldest first); "redrive all matching" is not limited to these. */
const PAGE = 50;

interface Filter {
  stream: string;
  group: string;
  error: string;
}

/** Only the filters that are set, as the API takes them. */
const filterOf = (f: Filter) => ({
  ...(f.stream ? { stream: f.stream } : {}),
  ...(f.group ? { group: f.group } : {}),
  ...(f.error.trim() ? { error: f.error.trim() } : {}),
});

/** Dead letters: filter, inspect, redrive one or all matching, discard. Refreshes when the live count changes. */
export function DeadLettersPanel({ deadLetters, className }: { deadLetters: number | null; className?: string }) {
  const token = useAdminToken();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>({ stream: '', group: '', error: '' });
  // the error filter applies once typing pauses
  const [errorText, setErrorText] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setFilter((f) => ({ ...f, error: errorText })), 300);
    return () => clearTimeout(timer);
  }, [errorText]);
  const applied = filterOf(filter);
  const list = useQuery({
    queryKey: adminKeys.deadLetters(token, applied, deadLetters),
    queryFn: () => adminApi.listDeadLetters.query({ ...applied, limit: PAGE }),
    placeholderData: keepPreviousData,
    retry: adminRetry,
  });
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const after = (message: string) => {
    setStatus(message);
    setFailure(null);
    void queryClient.invalidateQueries({ queryKey: ['admin', 'dead-letters'] });
  };
  const failed = (error: unknown) => {
    setFailure(describeFailure(error));
    void queryClient.invalidateQueries({ queryKey: ['admin', 'dead-letters'] });
  };

  const redriveAll = useMutation({
    mutationFn: () => adminApi.redriveDeadLetters.mutate(applied),
    onSuccess: ({ redriven, more }) =>
      after(`Redrove ${redriven.length} dead ${redriven.length === 1 ? 'letter' : 'letters'}${more ? ' — more match: redrive again' : ''}.`),
    onError: failed,
  });
  const items = list.data?.items ?? [];
  const filtered = Object.keys(applied).length > 0;

  return (
    <Panel
      id="dead-letters"
      testId="dead-letters"
      className={className}
      title="Dead letters"
      description={
        <>
          Events a consumer group gave up on after its retries. Redrive publishes the original event, unchanged, to its stream again (consumers drop
          what they already applied); one that fails again comes back here with its new error.
        </>
      }
      status={status}
      error={failure ?? (list.isError ? describeFailure(list.error) : null)}
    >
      <form className="grid gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()} aria-label="Filter dead letters">
        <Field id="dl-stream" label="Stream">
          <Select id="dl-stream" value={filter.stream} onChange={(e) => setFilter({ ...filter, stream: e.target.value })}>
            <option value="">Any stream</option>
            {STREAM_NAMES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </Select>
        </Field>
        <Field id="dl-group" label="Group">
          <Select id="dl-group" value={filter.group} onChange={(e) => setFilter({ ...filter, group: e.target.value })}>
            <option value="">Any group</option>
            {GROUP_NAMES.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </Select>
        </Field>
        <Field id="dl-error" label="Error contains">
          <Input id="dl-error" type="search" placeholder="e.g. consumer-failure" value={errorText} maxLength={200} onChange={(e) => setErrorText(e.target.value)} />
        </Field>
      </form>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm" data-testid="dead-letters-shown">
          {list.isPending ? (
            'Loading…'
          ) : (
            <>
              <span className="font-semibold tabular-nums">{list.data?.next ? `${items.length}+` : items.length}</span>
              {` ${filtered ? 'matching ' : ''}dead ${items.length === 1 ? 'letter' : 'letters'}`}
              {list.data?.next ? ` (the oldest ${PAGE} shown)` : ''}
            </>
          )}
        </p>
        <Button onClick={() => redriveAll.mutate()} disabled={redriveAll.isPending || items.length === 0}>
          {filtered ? 'Redrive all matching' : 'Redrive all'}
        </Button>
      </div>

      {items.length > 0 && (
        <ul className="grid gap-2" aria-label="Dead letters, oldest first">
          {items.map((item) => (
            <DeadLetterRow key={item.id} item={item} onDone={after} onFailed={failed} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

type DeadLetterItem = RouterOutputs['admin']['listDeadLetters']['items'][number];

function DeadLetterRow({ item, onDone, onFailed }: { item: DeadLetterItem; onDone: (message: string) => void; onFailed: (error: unknown) => void }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { type, orderId } = envelopeSummary(item.envelope);
  const what = `${type ?? 'raw entry'}${orderId ? ` of order ${orderId.slice(0, 8)}` : ''}`;
  const redrive = useMutation({
    mutationFn: () => adminApi.redriveDeadLetter.mutate({ id: item.id }),
    onSuccess: (r) => onDone(`Redriven: ${what}, republished as ${r.republishedAs}.`),
    onError: onFailed,
  });
  const discard = useMutation({
    mutationFn: () => adminApi.discardDeadLetter.mutate({ id: item.id }),
    onSuccess: () => onDone(`Discarded: ${what}.`),
    onError: onFailed,
  });
  const busy = redrive.isPending || discard.isPending;
  const detailsId = `dl-details-${item.id}`;
  const label = <span className="sr-only">{` ${what} (${item.id})`}</span>;

  return (
    <li className="min-w-0 rounded-md border p-3 text-sm" data-testid="dead-letter" data-id={item.id} data-order-id={orderId ?? undefined}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="font-semibold">{type ?? 'raw entry'}</span>
            {orderId && <code className="text-xs text-muted-foreground">order {orderId.slice(0, 8)}</code>}
            <Badge variant="muted">{item.attempts} attempts</Badge>
          </p>
          <p className="mt-1 text-xs break-all text-muted-foreground">
            <code>{item.stream}</code> → <code>{item.group}</code> · dead at <time dateTime={item.deadAt}>{new Date(item.deadAt).toLocaleTimeString()}</time>
          </p>
          <p className="mt-1 break-words text-destructive" data-testid="dead-letter-error">
            {item.error}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button size="sm" variant="outline" aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Inspect'}
            {label}
          </Button>
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => redrive.mutate()}>
            Redrive{label}
          </Button>
          {confirming ? (
            <>
              <Button size="sm" variant="destructive" className="border border-destructive-border" disabled={busy} onClick={() => discard.mutate()}>
                Discard for good{label}
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
                Keep{label}
              </Button>
            </>
          ) : (
            <Button size="sm" variant="destructive" disabled={busy} onClick={() => setConfirming(true)}>
              Discard{label}
            </Button>
          )}
        </div>
      </div>
      {open && (
        <div id={detailsId} className="mt-3 grid gap-2">
          <p className="text-xs text-muted-foreground">
            Dead letter <code>{item.id}</code> · original entry <code>{item.entryId}</code> in <code>{item.stream}</code>
          </p>
          <pre className="max-h-72 max-w-full overflow-auto rounded-md bg-muted p-3 text-xs" tabIndex={0} aria-label={`Original envelope of ${what}`}>
            {JSON.stringify(item.envelope, null, 2)}
          </pre>
        </div>
      )}
    </li>
  );
}

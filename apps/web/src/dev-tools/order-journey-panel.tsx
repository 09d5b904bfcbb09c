import type { JourneyHop } from '@pizza/contracts';
import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { journeyRows, useJourneyFeed, useNextOrder, JOURNEY_FEED_PATH } from './journey-feed';
import { adminToken } from './pipeline-feed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const KIND_LABEL: Record<JourneyHop['kind'], string> = {
  http: 'Accepted (HTTP)',
  commit: 'Committed',
  publish: 'Published',
  process: 'Processed',
  push: 'Pushed to browsers',
};

/** What the hop carries besides its kind, service and instance, in words. */
function hopDetail(hop: JourneyHop): string {
  const parts: string[] = [];
  if (hop.eventType) parts.push(hop.eventType);
  if (hop.stream) parts.push(`on ${hop.stream}`);
  if (hop.group) parts.push(`by ${hop.group}`);
  if (hop.attempt !== undefined) parts.push(`attempt ${hop.attempt}`);
  if (hop.waitedMs !== undefined) parts.push(`waited ${hop.waitedMs} ms`);
  if (hop.tookMs !== undefined) parts.push(`took ${hop.tookMs} ms`);
  if (hop.sockets !== undefined) parts.push(`${hop.sockets} socket${hop.sockets === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

const clock = (at: string) => {
  const d = new Date(at);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** The order journey: every hop of one order (or of the next one placed), live, with the latency between hops. */
export function OrderJourneyPanel() {
  const [orderId, setOrderId] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [waiting, setWaiting] = useState(false);
  /** The server has its starting point: the next order placed is the one followed. */
  const [listening, setListening] = useState(false);
  const [tokenVersion, setTokenVersion] = useState(0);
  const [startsRefused, setStartsRefused] = useState<{ status: number } | null>(null);
  const feed = useJourneyFeed(orderId, tokenVersion);
  useNextOrder(
    waiting,
    tokenVersion,
    (next) => {
      setWaiting(false);
      setDraft(next);
      setOrderId(next);
    },
    (refused) => {
      setWaiting(false);
      setStartsRefused(refused);
    },
    () => setListening(true),
  );

  const onShow = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const id = draft.trim().toLowerCase();
    setInvalid(!UUID.test(id));
    if (!UUID.test(id)) return;
    setWaiting(false);
    setOrderId(id);
  };
  const onFollowNext = () => {
    setStartsRefused(null);
    setOrderId(null);
    setListening(false);
    setWaiting(true);
  };
  const onToken = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = new FormData(event.currentTarget).get('token');
    if (typeof token === 'string' && token) adminToken.set(token);
    setStartsRefused(null);
    setTokenVersion((v) => v + 1);
  };

  const refusedStatus = feed.kind === 'refused' ? feed.status : startsRefused?.status;
  const hops = feed.kind === 'live' || feed.kind === 'down' ? feed.hops : [];
  const rows = journeyRows(hops);
  const status = waiting
    ? listening
      ? 'Waiting for the next order to be placed…'
      : 'Connecting…'
    : !orderId
      ? 'Enter an order id, or follow the next order placed.'
      : feed.kind === 'connecting'
        ? 'Connecting…'
        : feed.kind === 'down'
          ? `Feed interrupted: ${feed.error} — reconnecting.`
          : rows.length === 0
            ? 'No hops yet: an order placed a moment ago shows up as it moves, and journeys are kept for the last 500 orders (30 minutes).'
            : `${rows.length} hop${rows.length === 1 ? '' : 's'} so far, live.`;

  return (
    <Card role="region" aria-labelledby="journey-title" data-testid="order-journey" data-feed={waiting ? (listening ? 'waiting' : 'connecting') : feed.kind} className="min-w-0">
      <CardHeader>
        <CardTitle as="h3" id="journey-title">Order journey</CardTitle>
        <CardDescription className="mt-1">
          <code>{JOURNEY_FEED_PATH}</code> · every hop of one order as it happens: accepted, committed, each event published, each consumer group
          that processed it, each push to browsers
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="grid gap-2 md:flex md:items-end">
          <form onSubmit={onShow} className="flex min-w-0 flex-wrap items-end gap-2 md:flex-1" noValidate>
            <label className="grid min-w-0 basis-full gap-1 text-sm sm:basis-auto sm:flex-1" htmlFor="journey-order-id">
              <span className="font-semibold">Order id</span>
              <Input
                id="journey-order-id"
                name="orderId"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                placeholder="e.g. 0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid || undefined}
                aria-describedby={invalid ? 'journey-order-id-error' : undefined}
                className="font-mono text-sm"
              />
            </label>
            <Button type="submit">Show journey</Button>
          </form>
          <Button type="button" variant="outline" onClick={onFollowNext} aria-pressed={waiting}>
            Follow the next order placed
          </Button>
        </div>
        {invalid && (
          <p id="journey-order-id-error" className="text-sm text-destructive">
            An order id is a UUID, like the one on the order&apos;s tracking page.
          </p>
        )}
        {refusedStatus !== undefined ? (
          <form onSubmit={onToken} className="flex flex-wrap items-end gap-2 text-sm">
            <label className="grid gap-1">
              <span>Admin token (HTTP {refusedStatus}: the operations API needs ADMIN_TOKEN; kept for this tab only)</span>
              <input name="token" type="password" autoComplete="off" className="rounded-md border bg-background px-2 py-1" />
            </label>
            <button type="submit" className="rounded-md border px-3 py-1 font-semibold">Connect</button>
          </form>
        ) : (
          <p className="text-sm text-muted-foreground" role="status" aria-live="polite" data-testid="journey-status">
            {orderId && !waiting && <code className="mr-2 text-foreground">{orderId}</code>}
            {status}
          </p>
        )}
        {rows.length > 0 && (
          <div className="max-w-full overflow-x-auto" tabIndex={0} role="region" aria-label="Hops of the order">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <caption className="sr-only">Hops of order {orderId}, oldest first, with the time since the hop before</caption>
              <thead className="text-xs text-muted-foreground uppercase">
                <tr>
                  <th scope="col" className="py-1 pr-2">Time</th>
                  <th scope="col" className="py-1 pr-2 text-right">+ms</th>
                  <th scope="col" className="py-1 pr-2">Hop</th>
                  <th scope="col" className="py-1 pr-2">Service</th>
                  <th scope="col" className="py-1 pr-2">Details</th>
                  <th scope="col" className="py-1 pr-2">Instance</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ hop, sincePreviousMs }, i) => (
                  <tr key={`${hop.at}-${hop.kind}-${i}`} data-kind={hop.kind} className="border-t">
                    <td className="py-1 pr-2 font-mono text-xs whitespace-nowrap">{clock(hop.at)}</td>
                    <td className="py-1 pr-2 text-right tabular-nums">{sincePreviousMs === null ? '—' : `+${sincePreviousMs}`}</td>
                    <th scope="row" className="py-1 pr-2 font-semibold whitespace-nowrap">
                      <Badge variant={hop.kind === 'process' && (hop.attempt ?? 1) > 1 ? 'destructive' : 'muted'}>{KIND_LABEL[hop.kind]}</Badge>
                    </th>
                    <td className="py-1 pr-2 whitespace-nowrap">{hop.service}</td>
                    <td className="py-1 pr-2 text-xs">
                      {hopDetail(hop)}
                      {hop.traceId && <span className="block font-mono text-muted-foreground">trace {hop.traceId}</span>}
                    </td>
                    <td className="py-1 pr-2 font-mono text-xs whitespace-nowrap">{hop.instance}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { cn } from '@/lib/cn';
import { ms, rate } from './flow-layout';
import { groupTone, TONE_MARKS } from './flow-tone';
import { adminToken, PIPELINE_FEED_PATH, usePipelineFeed } from './pipeline-feed';
import { PipelineFlow } from './pipeline-flow';

/** The live pipeline: every stream, its groups (lag, pending, oldest pending) and consumers. */
export function PipelineView() {
  const [tokenVersion, setTokenVersion] = useState(0);
  const feed = usePipelineFeed(tokenVersion);
  const onToken = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = new FormData(event.currentTarget).get('token');
    if (typeof token === 'string' && token) adminToken.set(token);
    setTokenVersion((v) => v + 1);
  };

  return (
    <Card role="region" aria-labelledby="pipeline-title" data-testid="pipeline" data-feed={feed.kind} className="min-w-0">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div>
          <CardTitle as="h3" id="pipeline-title">Live pipeline</CardTitle>
          <CardDescription className="mt-1">
            <code>{PIPELINE_FEED_PATH}</code> · pushed about once a second
          </CardDescription>
        </div>
        {feed.kind === 'live' && (
          <Badge variant={feed.snapshot.deadLetters > 0 ? 'destructive' : 'muted'} className="text-sm" data-testid="dead-letter-count">
            {feed.snapshot.deadLetters} dead letters
          </Badge>
        )}
      </CardHeader>
      <CardContent>
        {feed.kind === 'connecting' && <p className="text-sm text-muted-foreground">Connecting…</p>}
        {feed.kind === 'down' && <p className="text-sm text-destructive">Feed interrupted: {feed.error} — reconnecting.</p>}
        {feed.kind === 'refused' && (
          <form onSubmit={onToken} className="flex flex-wrap items-end gap-2 text-sm">
            <label className="grid gap-1">
              <span>Admin token (HTTP {feed.status}: the operations API needs ADMIN_TOKEN; kept for this tab only)</span>
              <input name="token" type="password" autoComplete="off" className="rounded-md border bg-background px-2 py-1" />
            </label>
            <button type="submit" className="rounded-md border px-3 py-1 font-semibold">Connect</button>
          </form>
        )}
        {feed.kind === 'live' && <PipelineFlow snapshot={feed.snapshot} />}
        {feed.kind === 'live' && (
          // focusable, so a keyboard user can scroll the table at phone width
          <div className="max-w-full overflow-x-auto" tabIndex={0} role="region" aria-label="Streams and consumer groups">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Streams and consumer groups</caption>
              <thead className="text-xs text-muted-foreground uppercase">
                <tr>
                  <th scope="col" className="py-1 pr-2">Stream</th>
                  <th scope="col" className="py-1 pr-2">Length</th>
                  <th scope="col" className="py-1 pr-2">In/s</th>
                  <th scope="col" className="py-1 pr-2">Group</th>
                  <th scope="col" className="py-1 pr-2">Lag</th>
                  <th scope="col" className="py-1 pr-2">Pending</th>
                  <th scope="col" className="py-1 pr-2">Oldest pending</th>
                  <th scope="col" className="py-1 pr-2">Handled/s (failed)</th>
                  <th scope="col" className="py-1 pr-2">p50 · p99</th>
                  <th scope="col" className="py-1 pr-2">Consumers (pending · idle)</th>
                </tr>
              </thead>
              <tbody>
                {feed.snapshot.streams.flatMap((stream) => [
                  ...(stream.groups.length ? stream.groups : [null]).map((group, i) => (
                    <tr key={`${stream.name}-${group?.name ?? 'none'}`} data-stream={stream.name} data-group={group?.name} className="border-t">
                      <td className="py-1 pr-2 font-mono text-xs">{i === 0 ? stream.name : ''}</td>
                      <td className="py-1 pr-2 tabular-nums">{i === 0 ? stream.length : ''}</td>
                      <td className="py-1 pr-2 tabular-nums" data-stream-rate>{i === 0 ? rate(stream.perSecond) : ''}</td>
                      <td className={cn('py-1 pr-2', group && { ok: '', amber: 'text-warning', red: 'font-semibold text-destructive' }[groupTone(group)])}>
                        {group ? `${group.name}${TONE_MARKS[groupTone(group)]}` : '—'}
                      </td>
                      <td className="py-1 pr-2 tabular-nums">{group ? (group.lag ?? '?') : ''}</td>
                      <td className="py-1 pr-2 tabular-nums">{group?.pending ?? ''}</td>
                      <td className="py-1 pr-2 tabular-nums">{group ? `${(group.oldestPendingMs / 1000).toFixed(1)} s` : ''}</td>
                      <td className="py-1 pr-2 tabular-nums">{group?.handler ? `${rate(group.handler.ackedPerSecond)} (${rate(group.handler.failedPerSecond)})` : ''}</td>
                      <td className="py-1 pr-2 tabular-nums">{group?.handler ? `${ms(group.handler.p50Ms)} · ${ms(group.handler.p99Ms)}` : ''}</td>
                      <td className="py-1 pr-2 text-xs">
                        {group?.consumers.map((c) => `${c.name} (${c.pending} · ${(c.idleMs / 1000).toFixed(0)} s)`).join(', ')}
                      </td>
                    </tr>
                  )),
                  // broadcast readers: no group, so no lag or pending of their own
                  ...stream.tails.map((tail) => (
                    <tr key={`${stream.name}-tail-${tail.services.join(',')}`} data-stream={stream.name} data-tail={tail.services.join(',')} className="border-t">
                      <td colSpan={3} />
                      <td className="py-1 pr-2">{tail.services.join(', ')} (no group, every replica)</td>
                      <td colSpan={3} />
                      <td className="py-1 pr-2 tabular-nums">{`${rate(tail.ackedPerSecond)} (${rate(tail.failedPerSecond)})`}</td>
                      <td className="py-1 pr-2 tabular-nums">{`${ms(tail.p50Ms)} · ${ms(tail.p99Ms)}`}</td>
                      <td className="py-1 pr-2 text-xs">{`${tail.instances} instance${tail.instances === 1 ? '' : 's'}`}</td>
                    </tr>
                  )),
                ])}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

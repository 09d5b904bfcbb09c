import { setTimeout as sleep } from 'node:timers/promises';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { DeadLetterPage, DeadLetterQuery, EntryId, Fault, FaultName, FaultRequest, Journey, JourneyStartsInput, LoadRequest, LoadRun, MenuItem, PipelineSnapshot, Redriven, RedriveMatching, RedrivenMatching, StockUpdate } from '@pizza/contracts';
import { adminProcedure } from './admin-procedure';

const tags = ['admin'];
const DeadLetterId = z.object({ id: EntryId });
/** How often the live pipeline feed sends a snapshot. */
export const PIPELINE_FEED_MS = 1_000;

/** The operations API: every procedure here is also a REST route under /api/v1/admin (bearer auth). */
export const adminRouter = {
  pipelineSnapshot: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/admin/pipeline', tags, protect: true, summary: 'Streams, consumer groups and consumers with lag and pending, live rates and handler p50/p99; dead-letter count' } })
    .input(z.void())
    .output(PipelineSnapshot)
    .query(({ ctx }) => ctx.operations.pipeline()),

  /** The live feed (tRPC only, e.g. over SSE at /api/trpc/admin.pipeline): a snapshot about every second. */
  pipeline: adminProcedure.input(z.void()).subscription(async function* ({ ctx, signal }) {
    while (!signal?.aborted) {
      yield await ctx.operations.pipeline();
      await sleep(PIPELINE_FEED_MS, undefined, { signal }).catch(() => undefined);
    }
  }),

  listDeadLetters: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/admin/dead-letters', tags, protect: true, summary: 'Dead letters, oldest first, filtered by stream, group and error (a part of it, any case); page on with `next`' } })
    .input(DeadLetterQuery)
    .output(DeadLetterPage)
    .query(({ ctx, input }) => ctx.operations.listDeadLetters(input)),

  redriveDeadLetter: adminProcedure
    .meta({
      openapi: {
        method: 'POST', path: '/admin/dead-letters/{id}/redrive', tags, protect: true,
        summary: 'Publish the original envelope, unchanged, back to its stream; the entry leaves the list',
        errorResponses: { 404: 'No such dead letter (or already redriven)' },
      },
    })
    .input(DeadLetterId)
    .output(Redriven)
    .mutation(({ ctx, input }) => ctx.operations.redrive(ctx.who, input.id)),

  redriveDeadLetters: adminProcedure
    .meta({
      openapi: {
        method: 'POST', path: '/admin/dead-letters/redrive', tags, protect: true,
        summary: 'Redrive every dead letter matching stream, group and error (a part of it, any case), oldest first, at most 500 per call; `more` says some are left',
      },
    })
    .input(RedriveMatching)
    .output(RedrivenMatching)
    .mutation(({ ctx, input }) => ctx.operations.redriveMatching(ctx.who, input)),
  discardDeadLetter: adminProcedure
    .meta({ openapi: { method: 'DELETE', path: '/admin/dead-letters/{id}', tags, protect: true, summary: 'Discard a dead letter (204)', errorResponses: { 404: 'No such dead letter' } } })
    .input(DeadLetterId)
    .output(z.void())
    .mutation(({ ctx, input }) => ctx.operations.discard(ctx.who, input.id)),

  listFaults: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/admin/faults', tags, protect: true, summary: 'The faults active now, in every process' } })
    .input(z.void())
    .output(z.array(Fault))
    .query(({ ctx }) => ctx.operations.listFaults()),

  setFault: adminProcedure
    .meta({ openapi: { method: 'PUT', path: '/admin/faults/{name}', tags, protect: true, summary: 'Switch a fault on (or renew it) for ttlSeconds (1..3600, default 300)' } })
    .input(FaultRequest)
    .output(Fault)
    .mutation(({ ctx, input }) => ctx.operations.setFault(ctx.who, input)),

  clearFault: adminProcedure
    .meta({ openapi: { method: 'DELETE', path: '/admin/faults/{name}', tags, protect: true, summary: 'Switch a fault off (204)' } })
    .input(z.object({ name: FaultName }))
    .output(z.void())
    .mutation(({ ctx, input }) => ctx.operations.clearFault(ctx.who, input.name)),

  startLoad: adminProcedure
    .meta({ openapi: { method: 'POST', path: '/admin/load', tags, protect: true, summary: 'Start a load run (202); 409 while one runs', errorResponses: { 409: 'A run is already running' } } })
    .input(LoadRequest)
    .output(LoadRun)
    .mutation(({ ctx, input }) => ctx.operations.startLoad(ctx.who, input)),

  loadRun: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/admin/load', tags, protect: true, summary: 'The current (or last) load run of this process', errorResponses: { 404: 'No run yet' } } })
    .input(z.void())
    .output(LoadRun)
    .query(({ ctx }) => ctx.operations.loadRun()),

  stopLoad: adminProcedure
    .meta({ openapi: { method: 'DELETE', path: '/admin/load', tags, protect: true, summary: 'Stop the load run (204)' } })
    .input(z.void())
    .output(z.void())
    .mutation(({ ctx }) => ctx.operations.stopLoad(ctx.who)),

  orderJourney: adminProcedure
    .meta({
      openapi: {
        method: 'GET', path: '/admin/orders/{id}/journey', tags, protect: true,
        summary: 'Every hop of one order (HTTP, commit, publish, process, push), sorted by time',
        description: 'Journeys are kept for a bounded window: the last 500 orders, each for 30 minutes after its last hop.',
        errorResponses: { 404: 'No such order, or its journey is outside the window (the message says which)' },
      },
    })
    .input(z.object({ id: z.string() }))
    .output(Journey)
    .query(({ ctx, input }) => ctx.operations.journey(input.id)),

  /** Live (tRPC only): the hops of one order kept so far, by time, then each new one as it is written. */
  journey: adminProcedure.input(z.object({ orderId: z.string().max(100) })).subscription(({ ctx, input, signal }) => ctx.operations.followJourney(input.orderId, signal)),

  /** Live (tRPC only): the id of each order whose journey starts from now on ("follow the next order"). */
  journeyStarts: adminProcedure.input(JourneyStartsInput).subscription(({ ctx, input, signal }) => ctx.operations.journeyStarts(input?.after, signal)),

  setStock: adminProcedure
    .meta({ openapi: { method: 'PUT', path: '/admin/menu/{id}/stock', tags, protect: true, summary: 'Set the stock of one menu item', errorResponses: { 404: 'No such item' } } })
    .input(StockUpdate)
    .output(MenuItem)
    .mutation(({ ctx, input }) => ctx.operations.setStock(ctx.who, input.id, input.stock)),
} satisfies TRPCRouterRecord;

import { ORDER_STATUSES, STREAMS, type EventEnvelope, type MenuItem, type Order } from '@pizza/contracts';
import type { Redis } from 'ioredis';
import type { OfferedOrder } from './customers';
import { isInjectedDeadLetter } from './faults';
import type { Tracker } from './trackers';
import { DELIVERED_RANK } from './trackers';

export interface InvariantResult {
  name: string;
  /** How many things were checked. */
  checked: number;
  violations: number;
  /** Up to a few examples, with the order's history. */
  examples: string[];
}

export interface StreamEvents {
  /** Per order id: the envelopes seen on orders-stream and deliveries-stream. */
  byOrder: Map<string, EventEnvelope[]>;
  /** The dead letters still in the stream at the end: the error and the order each was about. */
  deadLetters: { error: string; orderId: string | null }[];
  /** Entries delivered to a group and never acknowledged, per stream/group. */
  pending: Record<string, number>;
}

/** Reads every entry of the streams the invariants look at, and the pending counts of every group. */
export async function readStreams(redis: Redis): Promise<StreamEvents> {
  const byOrder = new Map<string, EventEnvelope[]>();
  for (const stream of [STREAMS.orders, STREAMS.deliveries]) {
    let start = '-';
    for (let page = 0; page < 10_000; page++) {
      const entries = (await redis.xrange(stream, start, '+', 'COUNT', 1000)) as [string, string[]][];
      for (const [, fields] of entries) {
        const envelope = JSON.parse(fields[1]!) as EventEnvelope;
        const list = byOrder.get(envelope.orderId) ?? [];
        list.push(envelope);
        byOrder.set(envelope.orderId, list);
      }
      if (entries.length < 1000) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
  }
  const pending: Record<string, number> = {};
  for (const stream of Object.values(STREAMS)) {
    if (stream === STREAMS.deadLetters) continue;
    const groups = (await redis.call('XINFO', 'GROUPS', stream).catch(() => [])) as unknown[][];
    for (const group of groups) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i < group.length; i += 2) info[String(group[i])] = group[i + 1];
      pending[`${stream}/${String(info.name)}`] = Number(info.pending ?? 0);
    }
  }
  const deadLetters: StreamEvents['deadLetters'] = [];
  const letters = (await redis.xrange(STREAMS.deadLetters, '-', '+', 'COUNT', 10_000)) as [string, string[]][];
  for (const [, fields] of letters) {
    try {
      const letter = JSON.parse(fields[1]!) as { error?: string; envelope?: { orderId?: string } };
      deadLetters.push({ error: String(letter.error), orderId: letter.envelope?.orderId ?? null });
    } catch {
      deadLetters.push({ error: `not JSON: ${String(fields[1]).slice(0, 100)}`, orderId: null });
    }
  }
  return { byOrder, deadLetters, pending };
}

const distinct = (events: EventEnvelope[], match: (e: EventEnvelope) => boolean) => new Set(events.filter(match).map((e) => e.eventId)).size;

export interface InvariantInput {
  accepted: OfferedOrder[];
  offered: OfferedOrder[];
  orders: Map<string, Order | null>;
  menuBefore: MenuItem[];
  menuAfter: MenuItem[];
  streams: StreamEvents;
  trackers: Tracker[];
  /** Dead letters the schedule's injected faults caused, which the runner redrove during the run. */
  redrivenDeadLetters: number;
}

/** Every invariant over the whole run; each with what it counted and how many broke it. */
export function checkInvariants(input: InvariantInput): InvariantResult[] {
  const { accepted, orders, streams } = input;
  const history = (orderId: string) => {
    const order = orders.get(orderId);
    const events = (streams.byOrder.get(orderId) ?? []).map((e) => `${e.type}${'status' in (e.payload as object) ? `:${(e.payload as { status: string }).status}` : ''}`);
    return `order ${orderId}: ${order ? `status ${order.status}; history ${order.history.map((h) => `${h.status}@${h.at}`).join(' → ')}; delivery ${order.delivery ? `${order.delivery.id} ${order.delivery.status}` : 'none'}` : 'NOT FOUND'}; events ${events.join(', ')}`;
  };
  const check = (name: string, items: string[], broken: (orderId: string) => string | null): InvariantResult => {
    const examples: string[] = [];
    let violations = 0;
    for (const id of items) {
      const why = broken(id);
      if (why === null) continue;
      violations++;
      if (examples.length < 5) examples.push(`${why} — ${history(id)}`);
    }
    return { name, checked: items.length, violations, examples };
  };
  const ids = accepted.map((o) => o.orderId!);
  const results: InvariantResult[] = [];

  results.push(check('every accepted order reached delivered', ids, (id) => (orders.get(id)?.status === 'delivered' ? null : `status ${orders.get(id)?.status ?? 'missing'}`)));
  results.push(
    check('exactly one delivery per order', ids, (id) => {
      const created = distinct(streams.byOrder.get(id) ?? [], (e) => e.type === 'delivery.created');
      if (created !== 1) return `${created} delivery.created events`;
      return orders.get(id)?.delivery ? null : 'no delivery on the order';
    }),
  );
  results.push(
    check('each status once in each history, in lifecycle order', ids, (id) => {
      const statuses = orders.get(id)?.history.map((h) => h.status) ?? [];
      return statuses.join() === ORDER_STATUSES.join() ? null : `history ${statuses.join(' → ')}`;
    }),
  );
  results.push(
    check('no event lost: order.created and its journey', ids, (id) => {
      const events = streams.byOrder.get(id) ?? [];
      const created = distinct(events, (e) => e.type === 'order.created');
      if (created !== 1) return `${created} order.created events`;
      const delivered = events.some((e) => e.type === 'delivery.status_updated' && (e.payload as { delivery: { status: string } }).delivery.status === 'delivered');
      return delivered ? null : 'no delivery.status_updated → delivered';
    }),
  );
  results.push(
    check('no effect applied twice: one status event per step', ids, (id) => {
      const events = streams.byOrder.get(id) ?? [];
      for (const status of ORDER_STATUSES.slice(1)) {
        const n = distinct(events, (e) => e.type === 'order.status_updated' && (e.payload as { status: string }).status === status);
        if (n > 1) return `${n} order.status_updated events for ${status}`;
      }
      return null;
    }),
  );
  const acceptedIds = new Set(ids);
  const created = [...streams.byOrder.keys()].filter((id) => streams.byOrder.get(id)!.some((e) => e.type === 'order.created'));
  results.push(check('every order in the store was accepted by a customer', created, (id) => (acceptedIds.has(id) ? null : 'created but no customer got it')));

  // stock: what left the shelves is what accepted orders asked for; never below zero
  const taken = new Map<string, number>();
  for (const o of accepted) for (const line of o.lines) taken.set(line.menuItemId, (taken.get(line.menuItemId) ?? 0) + line.quantity);
  const after = new Map(input.menuAfter.map((m) => [m.id, m.stock]));
  const stockExamples: string[] = [];
  let stockViolations = 0;
  for (const item of input.menuBefore) {
    const left = after.get(item.id) ?? NaN;
    const expected = item.stock - (taken.get(item.id) ?? 0);
    if (left !== expected || left < 0) {
      stockViolations++;
      stockExamples.push(`${item.id}: stock ${item.stock} → ${left}, accepted orders took ${taken.get(item.id) ?? 0}`);
    }
  }
  results.push({ name: 'stock taken equals accepted quantities, never negative', checked: input.menuBefore.length, violations: stockViolations, examples: stockExamples });

  const pendingTotal = Object.values(streams.pending).reduce((a, b) => a + b, 0);
  results.push({
    name: 'nothing left pending in any consumer group',
    checked: Object.keys(streams.pending).length,
    violations: pendingTotal,
    examples: Object.entries(streams.pending).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n} pending`),
  });
  // the schedule causes dead letters only by injected failures, and the runner redrives those: every letter left is a violation
  results.push({
    name: 'nothing dead-lettered that the schedule did not cause',
    checked: input.redrivenDeadLetters + streams.deadLetters.length,
    violations: streams.deadLetters.length,
    examples: streams.deadLetters.slice(0, 5).map((l) => `dead letter "${l.error}"${isInjectedDeadLetter(l.error) ? ' (an injected fault, never redriven)' : ''} — ${l.orderId ? history(l.orderId) : 'no order id'}`),
  });

  const trackerExamples: string[] = [];
  let trackerViolations = 0;
  for (const t of input.trackers) {
    const backwards = t.ranks.some((r, i) => i > 0 && r < t.ranks[i - 1]!);
    const ended = t.ranks.at(-1) === DELIVERED_RANK;
    if (backwards || !ended) {
      trackerViolations++;
      if (trackerExamples.length < 5) trackerExamples.push(`${t.transport} tracker of ${t.orderId}: ranks ${t.ranks.join(',')} (${t.connects} connects) — ${history(t.orderId)}`);
    }
  }
  results.push({ name: 'every tracking client moved only forward and ended at delivered', checked: input.trackers.length, violations: trackerViolations, examples: trackerExamples });
  results.push({
    name: 'every customer got an answer (accepted or rejected)',
    checked: input.offered.length,
    violations: input.offered.filter((o) => o.outcome === 'unknown').length,
    examples: input.offered.filter((o) => o.outcome === 'unknown').slice(0, 5).map((o) => `key ${o.key}: ${o.attempts} attempts, last ${o.lastError ?? '?'}`),
  });
  return results;
}

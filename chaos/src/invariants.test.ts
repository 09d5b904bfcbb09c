import { ORDER_STATUSES, STREAMS, type EventEnvelope, type MenuItem, type Order } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import type { OfferedOrder } from './customers';
import { checkInvariants, type InvariantInput } from './invariants';
import { runPassed, violationLines } from './report';
import type { Tracker } from './trackers';
import { DELIVERED_RANK } from './trackers';

const at = '2026-01-01T00:00:00.000Z';
let seq = 0;
const event = (orderId: string, type: string, payload: object): EventEnvelope =>
  ({ eventId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`, type, orderId, source: 'test', occurredAt: at, payload }) as EventEnvelope;

/** A run of one order that went right: the invariants must all hold on it. */
function healthyRun(): InvariantInput {
  const orderId = 'order-1';
  const order = {
    id: orderId,
    status: 'delivered',
    history: ORDER_STATUSES.map((status) => ({ status, at })),
    delivery: { id: 'delivery-1', status: 'delivered' },
    createdAt: at,
  } as unknown as Order;
  const offered: OfferedOrder = { key: 'k', lines: [{ menuItemId: 'cola', quantity: 2 }], offeredAt: 0, outcome: 'accepted', orderId, attempts: 1 };
  const events = [
    event(orderId, 'order.created', {}),
    ...ORDER_STATUSES.slice(1).map((status) => event(orderId, 'order.status_updated', { status })),
    event(orderId, 'delivery.created', { delivery: { status: 'waiting' } }),
    event(orderId, 'delivery.status_updated', { delivery: { status: 'delivered' } }),
  ];
  const tracker: Tracker = { orderId, transport: 'ws', ranks: [0, 2, DELIVERED_RANK], connects: 1, done: true, close: () => {} };
  return {
    accepted: [offered],
    offered: [offered],
    orders: new Map([[orderId, order]]),
    menuBefore: [{ id: 'cola', stock: 10 } as MenuItem],
    menuAfter: [{ id: 'cola', stock: 8 } as MenuItem],
    streams: { byOrder: new Map([[orderId, events]]), deadLetters: [], pending: { [`${STREAMS.orders}/delivery-group`]: 0 } },
    trackers: [tracker],
    redrivenDeadLetters: 0,
  };
}

const broken = (input: InvariantInput) => checkInvariants(input).filter((r) => r.violations > 0).map((r) => r.name);

describe('the chaos invariants', () => {
  it('all hold on a run where everything went right', () => {
    expect(broken(healthyRun())).toEqual([]);
  });

  it('catch a status applied twice, a second delivery, a repeated status event, stock taken twice, a backwards tracker, leftovers', () => {
    const run = healthyRun();
    const order = run.orders.get('order-1')!;
    order.history.splice(2, 0, { status: 'confirmed', at });
    const events = run.streams.byOrder.get('order-1')!;
    events.push(event('order-1', 'delivery.created', { delivery: { status: 'waiting' } }));
    events.push(event('order-1', 'order.status_updated', { status: 'preparing' }));
    run.menuAfter = [{ id: 'cola', stock: 6 } as MenuItem];
    run.trackers[0]!.ranks = [0, 3, 2, DELIVERED_RANK];
    run.streams.pending[`${STREAMS.orders}/delivery-group`] = 1;
    run.streams.deadLetters = [{ error: 'delivered 4 times without being acknowledged', orderId: 'order-1' }];
    expect(broken(run)).toEqual([
      'exactly one delivery per order',
      'each status once in each history, in lifecycle order',
      'no effect applied twice: one status event per step',
      'stock taken equals accepted quantities, never negative',
      'nothing left pending in any consumer group',
      'nothing dead-lettered that the schedule did not cause',
      'every tracking client moved only forward and ended at delivered',
    ]);
  });

  it('catch an order never delivered, an order no customer was given, and a customer left without an answer', () => {
    const run = healthyRun();
    run.orders.set('order-1', { ...run.orders.get('order-1')!, status: 'preparing' });
    run.streams.byOrder.set('stray', [event('stray', 'order.created', {})]);
    run.offered.push({ key: 'k2', lines: [], offeredAt: 0, outcome: 'unknown', attempts: 9 });
    run.trackers[0]!.ranks = [0, 2];
    const names = broken(run);
    expect(names).toContain('every accepted order reached delivered');
    expect(names).toContain('every order in the store was accepted by a customer');
    expect(names).toContain('every customer got an answer (accepted or rejected)');
    expect(names).toContain('every tracking client moved only forward and ended at delivered');
  });

  it('count the dead letters the schedule caused and the runner redrove as checked, and report a letter left over with its order history', () => {
    const run = healthyRun();
    run.redrivenDeadLetters = 3;
    const clean = checkInvariants(run).find((r) => r.name === 'nothing dead-lettered that the schedule did not cause')!;
    expect(clean).toMatchObject({ checked: 3, violations: 0 });

    run.streams.deadLetters = [{ error: 'boom', orderId: 'order-1' }];
    const left = checkInvariants(run).find((r) => r.name === 'nothing dead-lettered that the schedule did not cause')!;
    expect(left).toMatchObject({ checked: 4, violations: 1 });
    expect(left.examples[0]).toMatch(/^dead letter "boom" — order order-1: status delivered; history created@/);
  });

  it('print the offending order with its history', () => {
    const run = healthyRun();
    run.orders.get('order-1')!.history.pop();
    const [result] = checkInvariants(run).filter((r) => r.violations > 0);
    expect(result!.examples[0]).toMatch(/order order-1: status delivered; history created@.* → out_for_delivery@.*; events order.created/);
  });

  it('fail the run on one violation, and the run prints the broken invariant with the order history; a clean run that became quiet passes', () => {
    const clean = checkInvariants(healthyRun());
    expect(runPassed(clean, 1_000)).toBe(true);
    expect(runPassed(clean, null)).toBe(false);
    expect(violationLines(clean)).toEqual([]);

    const run = healthyRun();
    run.orders.set('order-1', { ...run.orders.get('order-1')!, status: 'preparing' });
    const broken = checkInvariants(run);
    expect(runPassed(broken, 1_000)).toBe(false);
    const lines = violationLines(broken);
    expect(lines[0]).toBe('VIOLATION: every accepted order reached delivered (1 of 1)');
    expect(lines[1]).toMatch(/^ {2}status preparing — order order-1: status preparing; history created@.* → delivered@.*; delivery delivery-1 delivered; events order.created, /);
  });
});

import type { PipelineGroup, PipelineSnapshot } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { layoutFlow, NARROW_WIDTH } from './flow-layout';
import { groupTone } from './flow-tone';

const group = (over: Partial<PipelineGroup> = {}): PipelineGroup => ({
  name: 'delivery-group',
  lag: 0,
  pending: 0,
  oldestPendingMs: 0,
  consumers: [],
  entriesRead: 10,
  deliveredPerSecond: 2,
  handler: { services: ['delivery-service'], instances: 2, ackedPerSecond: 1.5, failedPerSecond: 0, handled: 90, p50Ms: 2.16, p99Ms: 48 },
  ...over,
});

const snapshot: PipelineSnapshot = {
  at: new Date(0).toISOString(),
  windows: { rateSeconds: 5, latencySeconds: 60 },
  deadLetters: 0,
  streams: [
    {
      name: 'orders-stream',
      length: 12,
      entriesAdded: 40,
      perSecond: 2,
      producers: [{ service: 'order-service', perSecond: 2 }],
      tails: [{ services: ['notifications-service'], instances: 1, ackedPerSecond: 2, failedPerSecond: 0, handled: 40, p50Ms: 0.4, p99Ms: 1 }],
      groups: [group(), group({ name: 'slow-group', lag: 150, handler: null, deliveredPerSecond: 0.5 })],
    },
    { name: 'simulate-order-stream', length: 0, entriesAdded: 0, perSecond: null, producers: [], tails: [], groups: [] },
  ],
};

describe('group tone', () => {
  it('turns amber at 10 undelivered or 5 s oldest pending or failures, red at 100 or 30 s', () => {
    expect(groupTone(group())).toBe('ok');
    expect(groupTone(group({ lag: 10 }))).toBe('amber');
    expect(groupTone(group({ oldestPendingMs: 5_000 }))).toBe('amber');
    expect(groupTone(group({ handler: { ...group().handler!, failedPerSecond: 0.2 } }))).toBe('amber');
    expect(groupTone(group({ lag: 100 }))).toBe('red');
    expect(groupTone(group({ oldestPendingMs: 30_000 }))).toBe('red');
  });
});

describe('flow layout', () => {
  it.each([900, 360])('at %i px: a box per publisher, stream and reader, an arrow into each, all inside the width', (width) => {
    const layout = layoutFlow(snapshot, width);
    expect(layout.nodes.map((n) => n.id)).toEqual([
      'producer/orders-stream',
      'stream/orders-stream',
      'orders-stream/delivery-group',
      'orders-stream/slow-group',
      'orders-stream/tail/notifications-service',
      'producer/simulate-order-stream',
      'stream/simulate-order-stream',
    ]);
    expect(layout.edges.map((e) => [e.id, e.label, e.tone])).toEqual([
      ['stream/orders-stream/in', '2.0/s', 'ok'],
      ['orders-stream/delivery-group/in', '1.5/s', 'ok'],
      ['orders-stream/slow-group/in', '0.5/s ■', 'red'],
      ['orders-stream/tail/notifications-service/in', '2.0/s', 'ok'],
      ['stream/simulate-order-stream/in', '–/s', 'ok'],
    ]);
    for (const node of layout.nodes) {
      expect(node.x).toBeGreaterThanOrEqual(0);
      expect(node.x + node.w).toBeLessThanOrEqual(width);
      expect(node.y + node.h).toBeLessThanOrEqual(layout.height);
    }
    expect(layout.nodes.find((n) => n.id === 'orders-stream/delivery-group')!.lines).toEqual([
      'delivery-group',
      'delivery-service · 2 instances',
      'p50 2.2 ms · p99 48 ms',
      'lag 0 · pending 0 · oldest 0.0 s',
    ]);
    expect(layout.nodes.find((n) => n.id === 'producer/simulate-order-stream')!.lines).toEqual(['no publisher seen yet']);
  });

  it('draws lanes top to bottom below the narrow width, left to right above it', () => {
    const wide = layoutFlow(snapshot, NARROW_WIDTH);
    const narrow = layoutFlow(snapshot, NARROW_WIDTH - 1);
    const at = (layout: typeof wide, id: string) => layout.nodes.find((n) => n.id === id)!;
    expect(at(wide, 'stream/orders-stream').x).toBeGreaterThan(at(wide, 'producer/orders-stream').x);
    expect(at(narrow, 'stream/orders-stream').y).toBeGreaterThan(at(narrow, 'producer/orders-stream').y);
    expect(at(narrow, 'stream/orders-stream').x).toBe(at(narrow, 'producer/orders-stream').x);
  });
});

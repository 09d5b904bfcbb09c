import { describe, expect, it } from 'vitest';
import { HandlerTimings } from './handler-timings';
import { bucketOf, bucketUpperMs } from './latency-histogram';
import { mergeReports } from './merge-reports';

describe('merging the reports of several processes', () => {
  const start = 1_700_000_000_000;

  it('adds rates, counts and histograms of one group across processes, and counts the processes', () => {
    let now = start;
    const fast = new HandlerTimings('delivery-1', () => now);
    const slow = new HandlerTimings('delivery-2', () => now);
    const recordFast = fast.reader('orders-stream', 'delivery-group', 'delivery-service');
    const recordSlow = slow.reader('orders-stream', 'delivery-group', 'delivery-service');
    for (let i = 0; i < 90; i++) recordFast(2, true); // 90 runs of 2 ms
    for (let i = 0; i < 10; i++) recordSlow(200, i < 5); // 10 runs of 200 ms, 5 failed
    now += 1000;
    const merged = mergeReports([fast.report(), slow.report()]);
    const stats = merged.group('orders-stream', 'delivery-group');
    expect(stats).toEqual({
      services: ['delivery-service'],
      instances: 2,
      ackedPerSecond: 95 / 5,
      failedPerSecond: 5 / 5,
      handled: 100,
      p50Ms: Number(bucketUpperMs(bucketOf(2)).toFixed(3)), // the bucket of 2 ms: at most 19 % above
      p99Ms: 200, // the slowest bucket, clamped to the largest duration seen
    });
    // alone, the fast process would say p99 = 2 ms: the slow one's runs count
    expect(mergeReports([fast.report()]).group('orders-stream', 'delivery-group')!.p99Ms).toBe(2);
    expect(merged.group('orders-stream', 'simulator-group')).toBeNull();
  });

  it('keeps broadcast tails per service and sums producers per stream and service', () => {
    let now = start;
    const a = new HandlerTimings('notifications-1', () => now);
    const b = new HandlerTimings('notifications-2', () => now);
    a.reader('orders-stream', null, 'notifications-service')(1, true);
    b.reader('orders-stream', null, 'notifications-service')(1, true);
    for (let i = 0; i < 5; i++) a.published('deliveries-stream', 'delivery-service');
    for (let i = 0; i < 10; i++) b.published('deliveries-stream', 'delivery-service');
    b.published('deliveries-stream', 'order-service');
    now += 1000;
    const merged = mergeReports([a.report(), b.report()]);
    expect(merged.tails('orders-stream')).toEqual([
      { services: ['notifications-service'], instances: 2, ackedPerSecond: 0.4, failedPerSecond: 0, handled: 2, p50Ms: 1, p99Ms: 1 },
    ]);
    expect(merged.tails('deliveries-stream')).toEqual([]);
    expect(merged.producers('deliveries-stream')).toEqual([
      { service: 'delivery-service', perSecond: 3 },
      { service: 'order-service', perSecond: 0.2 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { HandlerTimings, LATENCY_WINDOW_SECONDS, RATE_WINDOW_SECONDS } from './handler-timings';
import { percentile } from './latency-histogram';

describe('handler timings of one process', () => {
  const start = 1_700_000_000_000;

  it('counts rates over the whole seconds of the rate window, not the second in progress', () => {
    let now = start;
    const timings = new HandlerTimings('p1', () => now);
    const record = timings.reader('orders-stream', 'delivery-group', 'delivery-service');
    for (let s = 0; s < 10; s++) {
      now = start + s * 1000;
      for (let i = 0; i < s; i++) record(2, i !== 0); // second s: s runs, one of them failed
    }
    now = start + 10 * 1000 + 500; // in second 10: seconds 5..9 are the window
    const [reader] = timings.report().readers;
    expect(reader).toMatchObject({ stream: 'orders-stream', group: 'delivery-group', service: 'delivery-service' });
    expect(reader!.acked + reader!.failed).toBe(5 + 6 + 7 + 8 + 9);
    expect(reader!.failed).toBe(RATE_WINDOW_SECONDS);
  });

  it('keeps durations for the latency window only, overwriting older seconds', () => {
    let now = start;
    const timings = new HandlerTimings('p1', () => now);
    const record = timings.reader('orders-stream', 'delivery-group', 'delivery-service');
    record(900, true);
    now = start + 30_000;
    record(3, true);
    expect(timings.report().readers[0]!.latency.count).toBe(2);
    expect(percentile(timings.report().readers[0]!.latency, 0.99)).toBe(900);
    now = start + LATENCY_WINDOW_SECONDS * 1000; // the first second has left the window
    expect(timings.report().readers[0]!.latency.count).toBe(1);
    expect(percentile(timings.report().readers[0]!.latency, 0.99)).toBe(3);
    now = start + 3 * LATENCY_WINDOW_SECONDS * 1000;
    expect(timings.report().readers[0]!.latency).toMatchObject({ count: 0, buckets: [] });
  });

  it('reports a registered reader before its first message, and publishes per stream and service', () => {
    let now = start;
    const timings = new HandlerTimings('p1', () => now);
    timings.reader('deliveries-stream', null, 'notifications-service');
    for (let i = 0; i < 10; i++) timings.published('orders-stream', 'order-service');
    now += 1000;
    const report = timings.report();
    expect(report.readers).toEqual([
      { stream: 'deliveries-stream', group: null, service: 'notifications-service', acked: 0, failed: 0, latency: { count: 0, minMs: 0, maxMs: 0, buckets: [] } },
    ]);
    expect(report.producers).toEqual([{ stream: 'orders-stream', service: 'order-service', published: 10 }]);
    expect(report).toMatchObject({ instance: 'p1', at: now, rateWindowSeconds: RATE_WINDOW_SECONDS });
  });
});

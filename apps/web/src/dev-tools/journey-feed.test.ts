import { describe, expect, it } from 'vitest';
import type { JourneyHop } from '@pizza/contracts';
import { journeyRows } from './journey-feed';

const hop = (kind: JourneyHop['kind'], at: string): JourneyHop => ({ at, kind, service: 'order-service', instance: 'i' });

describe('journeyRows', () => {
  it('sorts hops by time (by kind within one millisecond) and gives the latency from the hop before', () => {
    const rows = journeyRows([
      hop('process', '2026-01-01T00:00:00.010Z'),
      hop('publish', '2026-01-01T00:00:00.010Z'),
      hop('commit', '2026-01-01T00:00:00.000Z'), // written before the http hop, in the same millisecond
      hop('http', '2026-01-01T00:00:00.000Z'),
    ]);
    expect(rows.map((r) => [r.hop.kind, r.sincePreviousMs])).toEqual([
      ['http', null],
      ['commit', 0],
      ['publish', 10],
      ['process', 0],
    ]);
  });
});

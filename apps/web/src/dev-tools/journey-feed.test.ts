import { describe, expect, it } from 'vitest';
import type { JourneyHop } from '@pizza/contracts';
import { journeyRows } from './journey-feed';

const hop = (kind: JourneyHop['kind'], at: string): JourneyHop => ({ at, kind, service: 'order-service', instance: 'i' });

describe('journeyRows', () => {
  it('sorts hops by time (arrival order for equal times) and gives the latency from the hop before', () => {
    const rows = journeyRows([
      hop('publish', '2026-01-01T00:00:00.010Z'),
      hop('http', '2026-01-01T00:00:00.000Z'),
      hop('commit', '2026-01-01T00:00:00.004Z'),
      hop('process', '2026-01-01T00:00:00.010Z'),
    ]);
    expect(rows.map((r) => [r.hop.kind, r.sincePreviousMs])).toEqual([
      ['http', null],
      ['commit', 4],
      ['publish', 6],
      ['process', 0],
    ]);
  });
});

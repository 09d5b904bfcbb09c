import { describe, expect, it } from 'vitest';
import { planFaults } from './faults';
import { FAULT_KINDS } from './options';
import { seededRandom } from './random';

describe('the fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    const plan = (seed: number) => planFaults(seededRandom(seed), FAULT_KINDS, 5, 300, false);
    expect(plan(42)).toEqual(plan(42));
    expect(plan(42)).not.toEqual(plan(43));
  });

  it('in CI mode holds every kind once, kills once per service kind, in time order inside the window', () => {
    const plan = planFaults(seededRandom(1), FAULT_KINDS, 5, 67, true);
    const names = plan.map((f) => (f.kind === 'kill' ? `kill ${f.service}` : f.kind)).sort();
    expect(names).toEqual(
      ['kill delivery', 'kill notifications', 'kill order-service', 'kill simulator', 'latency', 'partition', 'pause', 'redis', 'reset', 'stall'],
    );
    expect(plan.map((f) => f.atS)).toEqual([...plan.map((f) => f.atS)].sort((a, b) => a - b));
    expect(plan[0]!.atS).toBeGreaterThanOrEqual(5);
    expect(plan.at(-1)!.atS).toBeLessThan(67);
  });
});

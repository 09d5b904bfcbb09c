import { describe, expect, it } from 'vitest';
import { faultLabel, isInjectedDeadLetter, planFaults } from './faults';
import { FAULT_KINDS } from './options';
import { seededRandom } from './random';

describe('the fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    const plan = (seed: number) => planFaults(seededRandom(seed), FAULT_KINDS, 5, 300, false);
    expect(plan(42)).toEqual(plan(42));
    expect(plan(42)).not.toEqual(plan(43));
  });

  it('in CI mode holds every kind once, kills once per service kind, each control-room fault and partition side once, in time order inside the window', () => {
    const plan = planFaults(seededRandom(1), FAULT_KINDS, 5, 67, true);
    const names = plan.map(faultLabel).sort();
    expect(names).toEqual([
      'control bus-outage',
      'control consumer-delay',
      'control consumer-failure',
      'control outbox-pause',
      'control push-delay',
      'kill delivery',
      'kill notifications',
      'kill order-service',
      'kill simulator',
      'latency',
      'partition clients',
      'partition link',
      'partition redis',
      'pause',
      'redis',
      'reset',
      'stall',
    ]);
    expect(plan.map((f) => f.atS)).toEqual([...plan.map((f) => f.atS)].sort((a, b) => a - b));
    expect(plan[0]!.atS).toBeGreaterThanOrEqual(5);
    expect(plan.at(-1)!.atS).toBeLessThan(67);
  });

  it('counts as caused only the dead letters of the injected faults', () => {
    expect(isInjectedDeadLetter('injected failure (consumer-failure fault on delivery-group, rate 0.5)')).toBe(true);
    expect(isInjectedDeadLetter('simulated bus outage (bus-outage fault, 3 s)')).toBe(true);
    expect(isInjectedDeadLetter('outbox of delivery-service paused (outbox-pause fault)')).toBe(true);
    expect(isInjectedDeadLetter('delivered 4 times without being acknowledged')).toBe(false);
  });
});

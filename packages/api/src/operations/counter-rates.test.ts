import { describe, expect, it } from 'vitest';
import { CounterRates } from './counter-rates';

describe('rates from counters read at each snapshot', () => {
  it('answers null until a reading about a second older exists, then the rate since it', () => {
    const rates = new CounterRates(5_000);
    expect(rates.rate('s', 100, 0)).toBeNull();
    expect(rates.rate('s', 110, 500)).toBeNull();
    expect(rates.rate('s', 120, 1_000)).toBe(20);
    expect(rates.rate('s', 140, 2_000)).toBe(20);
  });

  it('measures over the last window only: an old burst stops counting', () => {
    const rates = new CounterRates(5_000);
    rates.rate('s', 0, 0);
    rates.rate('s', 500, 1_000); // a burst of 500 in the first second
    let rate: number | null = null;
    for (let t = 2_000; t <= 12_000; t += 1_000) rate = rates.rate('s', 500, t);
    expect(rate).toBe(0);
    expect(rates.rate('s', 525, 13_000)).toBe(5); // 25 entries over the 5 s since the base
  });

  it('starts over when a counter goes back, and keeps counters apart by key', () => {
    const rates = new CounterRates(5_000);
    rates.rate('a', 1_000, 0);
    rates.rate('b', 0, 0);
    expect(rates.rate('a', 3, 1_000)).toBeNull();
    expect(rates.rate('a', 13, 2_000)).toBe(10);
    expect(rates.rate('b', 4, 2_000)).toBe(2);
  });

  it('keeps a bounded number of readings however often it is asked', () => {
    const rates = new CounterRates(5_000);
    for (let t = 0; t <= 60_000; t += 10) rates.rate('s', t, t);
    const kept = (rates as unknown as { readings: Map<string, unknown[]> }).readings.get('s')!.length;
    expect(kept).toBeLessThanOrEqual(5_000 / 250 + 2);
    expect(rates.rate('s', 60_010, 60_010)).toBe(1_000);
  });
});

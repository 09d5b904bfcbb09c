import { describe, expect, it } from 'vitest';
import { parseOptions } from './options';
import { markdown, percentiles, type ChaosReport } from './report';

const report = (over: Partial<ChaosReport> = {}): ChaosReport => ({
  command: 'pnpm chaos --ci',
  options: parseOptions(['--ci']),
  startedAt: '2026-01-01T00:00:00.000Z',
  ranForS: 100,
  machine: '2 cores',
  topology: '8 service processes',
  limits: [],
  orders: { offered: 3, accepted: 2, rejected: 1, delivered: 2, unknown: 0 },
  trackers: { ws: 1, trpc: 1, reconnects: 0 },
  faults: [],
  faultsByKind: {},
  recoveryMsByKind: {},
  timeToDeliveredMs: { duringFaults: percentiles([1000, 3000]), withoutFaults: percentiles([]) },
  timeToQuietMs: 5000,
  invariants: [],
  passed: true,
  ...over,
});

describe('the Markdown summary', () => {
  it('says which faults did not run here and why, next to the skipped fault', () => {
    const skipped = 'network partitions not run: needs root';
    const md = markdown(
      report({
        limits: [`partition link: ${skipped}`],
        faults: [{ kind: 'partition', cut: 'link', atS: 5, holdS: 3, target: '-', startedAt: '2026-01-01T00:00:05.000Z', endedAt: '2026-01-01T00:00:05.000Z', skipped }],
      }),
    );
    expect(md).toContain(`Not run here:\n- partition link: ${skipped}`);
    expect(md).toContain(`partition link → -, held 3 s — SKIPPED: ${skipped}`);
  });

  it('heads a failed run FAILED and gives p50/p99 to delivered during and without faults', () => {
    const md = markdown(report({ passed: false }));
    expect(md).toMatch(/^## Chaos run FAILED — seed 1, 100 s/);
    expect(md).toContain('during faults p50 1.0 s, p99 3.0 s (2 orders); without faults p50 –, p99 – (0 orders)');
  });
});

export const FAULT_KINDS = ['kill', 'pause', 'redis', 'partition', 'latency', 'stall', 'reset', 'control'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  seed: number;
  /** Seconds of load; faults happen inside this window, then the run waits for quiet. */
  durationS: number;
  faults: FaultKind[];
  replicas: number;
  store: 'sqlite' | 'mongo';
  /** New orders per second. */
  rate: number;
  /** Every n-th accepted order is followed on a tracking socket (alternating plain and tRPC). */
  trackEvery: number;
  /** The short fixed run of CI: every fault kind once. */
  ci: boolean;
}

const USAGE = `pnpm chaos [--seed N] [--duration SECONDS] [--faults all|${FAULT_KINDS.join(',')}] [--replicas N] [--store sqlite|mongo] [--rate ORDERS_PER_S] [--track-every N] [--ci]`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): ChaosOptions {
  const options: ChaosOptions = { seed: 1, durationS: 300, faults: [...FAULT_KINDS], replicas: 2, store: 'sqlite', rate: 3, trackEvery: 4, ci: false };
  let durationGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--') continue;
    if (flag === '--ci') {
      options.ci = true;
      continue;
    }
    if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value.\n${USAGE}`);
    const int = (min: number, max: number) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer in ${min}..${max}, got "${value}".`);
      return n;
    };
    switch (flag) {
      case '--seed':
        options.seed = int(0, 2 ** 32 - 1);
        break;
      case '--duration':
        options.durationS = int(20, 24 * 3600);
        durationGiven = true;
        break;
      case '--replicas':
        options.replicas = int(1, 8);
        break;
      case '--rate':
        options.rate = int(1, 100);
        break;
      case '--track-every':
        options.trackEvery = int(1, 1000);
        break;
      case '--store':
        if (value !== 'sqlite' && value !== 'mongo') throw new UsageError(`--store is sqlite or mongo, got "${value}".`);
        options.store = value;
        break;
      case '--faults': {
        const kinds = value === 'all' ? [...FAULT_KINDS] : value === 'none' ? [] : value.split(',');
        const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
        if (unknown.length) throw new UsageError(`unknown fault kind ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}.`);
        options.faults = kinds as FaultKind[];
        break;
      }
      default:
        throw new UsageError(`unknown option ${flag}.\n${USAGE}`);
    }
  }
  if (options.ci && !durationGiven) options.durationS = 75;
  return options;
}

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SCENARIOS = ['menu', 'orders', 'push', 'sockets', 'sse', 'pipeline', 'startup', 'web', 'tracing', 'soak', 'feed'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];
/** Long runs that only `--only` starts. */
const OPT_IN: readonly ScenarioId[] = ['soak', 'feed'];

export interface BenchOptions {
  quick: boolean;
  distributed: boolean;
  only: ScenarioId[];
  /** Rounds per scenario (each round = one baseline run + one system run). */
  rounds: number;
  /** Seconds of load per HTTP run. */
  seconds: number;
  /** Tracking sockets held open in the capacity scenario. */
  sockets: number;
  /** SSE clients held open in the SSE capacity scenario. */
  sseClients: number;
  /** Orders followed per round in the push-latency scenario. */
  pushOrders: number;
  connections: number;
  /** Orders per second and seconds of load in the soak scenario. */
  soakRate: number;
  soakSeconds: number;
  /** Soak: heap snapshots of the API process at a third, two thirds and the end of the load. */
  heapSnapshots: boolean;
  /** Tracing: another checkout of this repository, built, whose all-in-one process runs as a reference arm. */
  reference: string | null;
}

const USAGE = `pnpm bench [-- options]

  --quick             short smoke run (1 round, short durations, 1000 sockets)
  --distributed       also run menu, orders, push, sockets and tracing against the distributed topology
                      (order service, notifications, delivery, simulator + a private redis-server)
  --only <ids>        comma-separated subset of: ${SCENARIOS.join(', ')}
                      (default: all but ${OPT_IN.join(', ')}, which run only when named)
  --rounds <n>        rounds per scenario (default 5, quick 1)
  --seconds <n>       seconds of load per HTTP run (default 5, quick 2)
  --sockets <n>       sockets in the capacity scenario (default 10000, quick 1000)
  --sse-clients <n>   SSE clients in the SSE capacity scenario (default 1000)
  --rate <n>          soak: orders per second (default 150)
  --duration <s>      soak: seconds of load (default 420, quick 60)
  --heap-snapshots    soak: heap snapshots of the API process at 1/3, 2/3 and the end of the load
  --reference <dir>   tracing: also run the built all-in-one process of another checkout (tracing
                      off), e.g. the commit before tracing, as a reference arm (embedded only)
  --help`;

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      distributed: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      sockets: { type: 'string' },
      'sse-clients': { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'heap-snapshots': { type: 'boolean', default: false },
      reference: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : SCENARIOS.filter((s) => !OPT_IN.includes(s));
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`unknown scenario(s): ${unknown.join(', ')}\n\n${USAGE}`);
  const quick = values.quick ?? false;
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got "${raw}"`);
    return n;
  };
  return {
    quick,
    distributed: values.distributed ?? false,
    only: only as ScenarioId[],
    rounds: Math.round(positive('rounds', values.rounds, quick ? 1 : 5)),
    seconds: positive('seconds', values.seconds, quick ? 2 : 5),
    sockets: Math.round(positive('sockets', values.sockets, quick ? 1000 : 10_000)),
    sseClients: Math.round(positive('sse-clients', values['sse-clients'], 1000)),
    pushOrders: quick ? 10 : 100,
    connections: 50,
    soakRate: positive('rate', values.rate, 150),
    soakSeconds: positive('duration', values.duration, quick ? 60 : 420),
    heapSnapshots: values['heap-snapshots'] ?? false,
    reference: values.reference ? resolve(values.reference) : null,
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

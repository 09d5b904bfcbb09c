import { once } from 'node:events';
import { FAULT_NAMES, GROUPS, SERVICES, type FaultName } from '@pizza/contracts';
import type { FaultKind } from './options';
import type { Random } from './random';
import { allHealthy, SERVICE_KINDS, type ServiceKind, type ServiceProcess, type Topology } from './topology';

/** One planned fault: what, when (seconds after the load started) and for how long. */
export interface PlannedFault {
  kind: FaultKind;
  /** For kills: the kind of service a random process is taken from. */
  service?: ServiceKind;
  /** For control-room faults: which of the operator's faults is switched on. */
  control?: FaultName;
  /** For partitions: the link taken down (cut from everything), or a one-sided cut from Redis or from its clients. */
  cut?: PartitionCut;
  atS: number;
  holdS: number;
}

export interface FaultRecord extends PlannedFault {
  target: string;
  startedAt: string;
  endedAt: string;
  /** Not run, and why (e.g. partitions without root). */
  skipped?: string;
  /** From the end of the fault until every process answered its readiness check again. */
  recoveryMs?: number;
  detail?: string;
  /** Dead letters the fault caused (injected failures) that the runner redrove afterwards, as an operator would. */
  redriven?: number;
}

export const PARTITION_CUTS = ['link', 'redis', 'clients'] as const;
export type PartitionCut = (typeof PARTITION_CUTS)[number];

/** `kill delivery`, `control consumer-failure`, `partition redis`, `stall`: the kind as the report counts it. */
export const faultLabel = (f: Pick<PlannedFault, 'kind' | 'service' | 'control' | 'cut'>) =>
  f.kind === 'kill' ? `kill ${f.service}` : f.kind === 'control' ? `control ${f.control}` : f.kind === 'partition' ? `partition ${f.cut}` : f.kind;

/** The errors of dead letters that injected faults cause: the runner redrives these, and only these. */
export const INJECTED_DEAD_LETTER_ERRORS = ['consumer-failure fault', 'bus-outage fault', 'outbox-pause fault'] as const;
export const isInjectedDeadLetter = (error: string) => INJECTED_DEAD_LETTER_ERRORS.some((e) => error.includes(e));

/** The parameters of a control-room fault, drawn from the seeded source. */
function controlParams(name: FaultName, holdS: number, random: Random): Record<string, string | number> {
  const groups = Object.values(GROUPS);
  switch (name) {
    case 'consumer-delay':
      return { group: random.pick(groups), delayMs: random.int(200, 1000) };
    case 'consumer-failure':
      return { group: random.pick(groups), rate: random.int(3, 7) / 10 };
    case 'outbox-pause':
      return { service: random.pick([SERVICES.order, SERVICES.delivery, SERVICES.simulator]) };
    case 'push-delay':
      return { delayMs: random.int(200, 2000) };
    case 'bus-outage':
      return { seconds: holdS };
  }
}

/**
 * Redrives every dead letter an injected fault caused (bounded: 20 calls of at most 500), as the
 * operator does after switching a fault off; returns how many.
 */
export async function redriveInjected(topology: Topology): Promise<number> {
  let count = 0;
  for (const error of INJECTED_DEAD_LETTER_ERRORS) {
    for (let call = 0; call < 20; call++) {
      const result = (await topology.admin('POST', '/api/v1/admin/dead-letters/redrive', { error })) as { redriven: unknown[]; more: boolean };
      count += result.redriven.length;
      if (!result.more) break;
    }
  }
  return count;
}

/**
 * The seeded schedule: rounds in which every enabled kind occurs once (kills once per service
 * kind), in shuffled order, evenly spaced over the fault window. The same seed, duration and kinds
 * give the same schedule.
 */
export function planFaults(random: Random, kinds: readonly FaultKind[], windowStartS: number, windowEndS: number, onlyOneRound: boolean): PlannedFault[] {
  const round = () =>
    random.shuffle(kinds.flatMap((kind): Omit<PlannedFault, 'atS'>[] =>
      kind === 'kill'
        ? SERVICE_KINDS.map((service) => ({ kind, service, holdS: random.int(1, 3) }))
        : kind === 'control'
          ? FAULT_NAMES.map((control) => ({ kind, control, holdS: random.int(2, 4) }))
          : kind === 'partition'
            ? PARTITION_CUTS.map((cut) => ({ kind, cut, holdS: random.int(3, 6) }))
          : [{ kind, holdS: kind === 'reset' ? 0 : random.int(3, 6) }],
    ));
  const first = round();
  if (first.length === 0) return [];
  const spanS = windowEndS - windowStartS;
  // a fault takes its hold plus about 6 s to recover: as many rounds as fit, at least one
  const perRound = first.reduce((s, f) => s + f.holdS + 6, 0);
  const rounds = onlyOneRound ? 1 : Math.max(1, Math.floor(spanS / perRound));
  const all = [first];
  for (let i = 1; i < rounds; i++) all.push(round());
  const flat = all.flat();
  const step = spanS / flat.length;
  return flat.map((f, i) => ({ ...f, atS: Math.round((windowStartS + i * step) * 10) / 10 }));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one fault against the topology; resolves when it is over and the system is ready again (or 60 s passed). */
export async function runFault(topology: Topology, fault: PlannedFault, random: Random, log: (line: string) => void): Promise<FaultRecord> {
  const startedAt = new Date().toISOString();
  const record = (target: string, extra: Partial<FaultRecord> = {}): FaultRecord => ({ ...fault, target, startedAt, endedAt: new Date().toISOString(), ...extra });
  const hold = () => sleep(fault.holdS * 1000);
  const anyService = () => random.pick(topology.processes);
  let target = '';
  let detail: string | undefined;
  let redriven: number | undefined;

  switch (fault.kind) {
    case 'kill': {
      const victim: ServiceProcess = random.pick(topology.of(fault.service!));
      target = victim.name;
      log(`fault: SIGKILL ${victim.name} (pid ${victim.child.pid}); restart in ${fault.holdS} s`);
      victim.child.proc.kill('SIGKILL');
      await once(victim.child.proc, 'exit').catch(() => undefined);
      await hold();
      await victim.restart();
      break;
    }
    case 'pause': {
      const victim = anyService();
      target = victim.name;
      log(`fault: SIGSTOP ${victim.name} for ${fault.holdS} s`);
      victim.child.proc.kill('SIGSTOP');
      await hold();
      victim.child.proc.kill('SIGCONT');
      break;
    }
    case 'redis':
      target = 'redis';
      log(`fault: SIGKILL Redis; restart after ${fault.holdS} s (AOF)`);
      await topology.redis.stop();
      await hold();
      await topology.redis.restart();
      break;
    case 'partition': {
      if (!topology.network) return record('-', { skipped: `network partitions not run: ${topology.networkUnavailable}` });
      if (fault.cut !== 'link' && topology.oneSidedCutUnavailable) return record('-', { skipped: `one-sided partitions not run: ${topology.oneSidedCutUnavailable}` });
      const victim = anyService();
      const ns = victim.namespace!;
      target = victim.name;
      if (fault.cut === 'link') {
        const before = victim.address;
        log(`fault: partition ${victim.name} (link down: cut off from Redis and its clients) for ${fault.holdS} s; it comes back under a new address`);
        ns.cut();
        try {
          await hold();
        } finally {
          // as a container reconnected to its network: connections made before the cut can never resume
          ns.heal({ readdress: true });
        }
        detail = `${before} → ${victim.address}`;
      } else {
        // packets dropped silently on one side only; the connections resume when it heals
        const what = fault.cut === 'redis' ? { remote: { host: topology.network.hostAddress, port: topology.proxy.port } } : { localPort: victim.port };
        log(`fault: partition ${victim.name} from ${fault.cut === 'redis' ? 'Redis (its clients still reach it)' : 'its clients (it still reaches Redis)'} for ${fault.holdS} s`);
        try {
          ns.block(what);
        } catch (error) {
          return record('-', { skipped: `one-sided partition not run: iptables failed (${String((error as Error).message).split('\n')[0]})` });
        }
        try {
          await hold();
        } finally {
          ns.unblock();
        }
        detail = fault.cut === 'redis' ? 'cut from Redis' : 'cut from its clients';
      }
      break;
    }
    case 'latency': {
      const ms = random.int(100, 400);
      target = 'redis link';
      detail = `${ms} ms per chunk`;
      log(`fault: +${ms} ms latency on every link to Redis for ${fault.holdS} s`);
      topology.proxy.setLatency(ms);
      await hold();
      topology.proxy.setLatency(0);
      break;
    }
    case 'stall':
      target = 'redis link';
      log(`fault: stall every link to Redis for ${fault.holdS} s`);
      topology.proxy.stall();
      await hold();
      topology.proxy.resume();
      break;
    case 'reset': {
      target = 'redis link';
      const count = topology.proxy.resetAll();
      detail = `${count} connections reset`;
      log(`fault: TCP reset of ${count} connections to Redis`);
      break;
    }
    case 'control': {
      // the operator's fault, switched on through the admin API of an order-service replica; it applies to every process
      const name = fault.control!;
      const params = controlParams(name, fault.holdS, random);
      target = 'every process';
      detail = `${name} ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')}`;
      log(`fault: control room ${detail} for ${fault.holdS} s`);
      try {
        // the TTL is a safety net only: the runner switches it off after the hold
        await topology.admin('PUT', `/api/v1/admin/faults/${name}`, { ...params, ttlSeconds: fault.holdS + 10 });
      } catch (error) {
        return record(target, { skipped: `the admin API refused ${name}: ${(error as Error).message}` });
      }
      try {
        await hold();
      } finally {
        await topology.admin('DELETE', `/api/v1/admin/faults/${name}`).catch((error: unknown) => log(`  switching ${name} off failed (${(error as Error).message}); it expires with its TTL`));
      }
      // what failed in the last moments of the fault reaches the dead letters a little later (each process re-reads the faults every 0.5 s)
      await sleep(1_000);
      redriven = await redriveInjected(topology).catch((error: unknown) => {
        log(`  redriving failed (${(error as Error).message}); the runner tries again while it waits for quiet`);
        return 0;
      });
      if (redriven) log(`  ${redriven} dead letters the fault caused redriven`);
      break;
    }
  }
  const ended = Date.now();
  const endedAt = new Date(ended).toISOString();
  let recoveryMs: number | undefined;
  for (const deadline = ended + 60_000; Date.now() < deadline; await sleep(250)) {
    if (await allHealthy(topology)) {
      recoveryMs = Date.now() - ended;
      break;
    }
  }
  log(`  over; ${recoveryMs === undefined ? 'NOT ready again within 60 s' : `every process ready again after ${(recoveryMs / 1000).toFixed(1)} s`}`);
  return { ...fault, target, startedAt, endedAt, ...(recoveryMs === undefined ? {} : { recoveryMs }), ...(detail ? { detail } : {}), ...(redriven === undefined ? {} : { redriven }) };
}


import { once } from 'node:events';
import type { FaultKind } from './options';
import type { Random } from './random';
import { allHealthy, SERVICE_KINDS, type ServiceKind, type ServiceProcess, type Topology } from './topology';

/** One planned fault: what, when (seconds after the load started) and for how long. */
export interface PlannedFault {
  kind: FaultKind;
  /** For kills: the kind of service a random process is taken from. */
  service?: ServiceKind;
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
      const victim = anyService();
      target = victim.name;
      const before = victim.address;
      log(`fault: partition ${victim.name} (cut off from Redis and its clients) for ${fault.holdS} s; it comes back under a new address`);
      victim.namespace!.cut();
      try {
        await hold();
      } finally {
        // as a container reconnected to its network: connections made before the cut can never resume
        victim.namespace!.heal({ readdress: true });
      }
      detail = `${before} → ${victim.address}`;
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
  return { ...fault, target, startedAt, endedAt, ...(recoveryMs === undefined ? {} : { recoveryMs }), ...(detail ? { detail } : {}) };
}


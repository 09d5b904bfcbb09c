import { FAULT_NAMES, type Fault, type FaultName, type FaultParams } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { redisLinkOptions } from '../bus/redis-connection';

/**
 * The faults switched on right now, shared by every process of the system: in Redis (one key per
 * fault, expiring with it) in the distributed topology, in memory when embedded. `active` is
 * synchronous (it sits on hot paths), answered from a copy refreshed every `refreshMs`, and it
 * checks `expiresAt` itself, so a fault never outlives its TTL in any process.
 */
export interface FaultStore {
  active<N extends FaultName>(name: N): FaultParams<N> | null;
  list(): Promise<Fault[]>;
  set(fault: Fault): Promise<void>;
  clear(name: FaultName): Promise<void>;
  close(): Promise<void>;
}

const KEY = (name: FaultName) => `pizza:fault:${name}`;

export function createFaultStore(options: { redisUrl?: string; refreshMs?: number }): FaultStore {
  const known = new Map<FaultName, Fault>();
  const live = (fault: Fault | undefined, now = Date.now()) => (fault && Date.parse(fault.expiresAt) > now ? fault : undefined);
  const listLocal = () => FAULT_NAMES.map((n) => live(known.get(n))).filter((f): f is Fault => f !== undefined);
  const active = <N extends FaultName>(name: N) => (live(known.get(name))?.params ?? null) as FaultParams<N> | null;

  if (!options.redisUrl) {
    return {
      active,
      list: async () => listLocal(),
      set: async (fault) => void known.set(fault.name, fault),
      clear: async (name) => void known.delete(name),
      close: async () => {},
    };
  }

  const redis = new Redis(options.redisUrl, { ...redisLinkOptions(), connectionName: 'pizza-faults', maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  redis.on('error', () => undefined); // a failed refresh keeps the last copy; expiry still applies
  const refresh = async () => {
    const values = await redis.mget(...FAULT_NAMES.map(KEY));
    FAULT_NAMES.forEach((name, i) => {
      const value = values[i];
      if (value) known.set(name, JSON.parse(value) as Fault);
      else known.delete(name);
    });
  };
  const timer = setInterval(() => void refresh().catch(() => undefined), options.refreshMs ?? 500);
  timer.unref();
  void refresh().catch(() => undefined);

  return {
    active,
    async list() {
      await refresh();
      return listLocal();
    },
    async set(fault) {
      const ttlMs = Math.max(1, Date.parse(fault.expiresAt) - Date.now());
      await redis.set(KEY(fault.name), JSON.stringify(fault), 'PX', ttlMs);
      known.set(fault.name, fault);
    },
    async clear(name) {
      await redis.del(KEY(name));
      known.delete(name);
    },
    async close() {
      clearInterval(timer);
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}

import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/** How long past its BLOCK a blocking read may stay silent before its connection is declared dead. */
export const READ_GRACE_MS = 3_000;
/** A non-blocking command (or PING) that gets no reply this long fails, and its connection is replaced. */
export const COMMAND_TIMEOUT_MS = 5_000;

/**
 * Options that make a dead link visible in seconds rather than after the kernel's ~15 minutes of
 * TCP retransmissions (a partition drops packets silently; no FIN, no RST):
 *  - TCP keepalive, so an idle connection is probed;
 *  - a socket timeout: a connection that owes a reply and receives nothing for `silenceMs` is
 *    destroyed and reconnected (commands in flight are resent or failed per `maxRetriesPerRequest`);
 *  - a bounded connect, and a reconnect backoff capped at 2 s.
 * Shared by every Redis connection of the services (bus, status cache, service registry).
 */
export function redisLinkOptions(silenceMs = COMMAND_TIMEOUT_MS): RedisOptions {
  return {
    keepAlive: 1_000,
    socketTimeout: silenceMs,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
  };
}

export type BusConnectionRole = 'command' | 'reader';

/**
 * Readers wait through outages (their XREADGROUP/XREAD is resent after reconnect) but their BLOCK is
 * bounded: a read that is not answered within `blockMs + READ_GRACE_MS` means a dead link and the
 * connection is replaced. The command connection fails fast instead (one retry, a command timeout),
 * so publishers and health checks see an outage within seconds and retry.
 */
export function connectBusRedis(url: string, role: BusConnectionRole, logger: Logger, blockMs: number): Redis {
  const redis = new Redis(url, {
    connectionName: `pizza-bus-${role}`,
    ...redisLinkOptions(role === 'reader' ? blockMs + READ_GRACE_MS : COMMAND_TIMEOUT_MS),
    ...(role === 'reader'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS }),
  });
  // One line per outage and one per recovery, not one per reconnect attempt.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    if (role === 'command') logger.warn({ err }, 'Redis connection lost; reconnecting');
    else logger.debug({ err }, 'Redis reader connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    if (role === 'command') logger.info('Redis connection restored');
  });
  return redis;
}

import type { Redis } from 'ioredis';

/**
 * Claims entries only while this consumer still owns them, atomically (a plain XCLAIM would steal
 * an entry another consumer has meanwhile claimed with XAUTOCLAIM).
 *  - `touch`: XCLAIM … JUSTID resets their idle time without counting a delivery (heartbeat for
 *    entries whose handler is still running, so XAUTOCLAIM elsewhere leaves them alone).
 *  - `fetch`: XCLAIM re-delivers them (delivery count + 1) and returns `[id, fields, deliveries]`
 *    (a live consumer retrying its own failed entries). Deleted (trimmed) entries are skipped.
 */
const CLAIM_OWNED_LUA = `
local stream, group, consumer, mode = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local claim = { 'XCLAIM', stream, group, consumer, '0' }
for i = 4, #ARGV do
  local p = redis.call('XPENDING', stream, group, ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == consumer then claim[#claim + 1] = ARGV[i] end
end
if #claim == 5 then return {} end
if mode == 'touch' then
  claim[#claim + 1] = 'JUSTID'
  return redis.call(unpack(claim))
end
local out = {}
for _, entry in ipairs(redis.call(unpack(claim))) do
  if type(entry) == 'table' and entry[2] then
    local p = redis.call('XPENDING', stream, group, entry[1], entry[1], 1)
    out[#out + 1] = { entry[1], entry[2], p[1][4] }
  end
end
return out
`;

const COMMAND = 'pizzaClaimOwned';
/** Lua's unpack() has a small stack; claim in slices. */
export const CLAIM_SLICE = 200;

type ClaimOwnedCommand = (
  stream: string,
  group: string,
  consumer: string,
  mode: string,
  ...ids: string[]
) => Promise<unknown>;

/** Registers the script on a connection (ioredis runs it with EVALSHA, falling back to EVAL). */
export function defineClaimOwned(redis: Redis): void {
  redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: CLAIM_OWNED_LUA });
}

export function claimOwned(
  redis: Redis,
  stream: string,
  group: string,
  consumer: string,
  mode: 'touch' | 'fetch',
  ids: readonly string[],
): Promise<unknown> {
  const command = (redis as unknown as Record<typeof COMMAND, ClaimOwnedCommand>)[COMMAND];
  return command.call(redis, stream, group, consumer, mode, ...ids);
}

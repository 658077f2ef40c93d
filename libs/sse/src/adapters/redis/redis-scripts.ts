/**
 * The Lua scripts behind the Redis adapters. Each runs atomically on the server, which is what
 * makes the hub-wide order possible: an id is taken and its entry written in one step, so no
 * entry with a smaller id can appear after a reader has passed it.
 *
 * Time comes from Redis (`TIME`), never from an instance, so instances with skewed clocks still
 * agree on ids, leases and expiry deadlines.
 * @internal
 */

/** Subscription changes kept in their stream: readers consume them within milliseconds. */
export const CHANGES_STREAM_MAXLEN = 10_000;
/**
 * A client's topics hash also gets a Redis TTL this long after its expiry deadline: a backstop
 * that cleans up if no instance is left to sweep. The deadline itself is enforced by the scripts.
 */
export const EXPIRY_BACKSTOP_MS = 60_000;

/** Ids of the hub-wide order: `<ms>-<seq>` like Redis stream ids, from one `sequence` key. */
const ID_FUNCTIONS = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function parse_id(id)
  local ms, seq = string.match(id or '', '^(%d+)-(%d+)$')
  if not ms then return 0, 0 end
  return tonumber(ms), tonumber(seq)
end

-- The id after the newest one handed out: Redis's clock when it has moved past it, else the
-- same millisecond and the next sequence number. The caller's floor (the newest id it has seen)
-- keeps ids increasing for it even if Redis lost its data and its clock stepped back.
local function next_id(sequence_key, floor, now)
  local ms, seq = parse_id(redis.call('GET', sequence_key) or '0-0')
  local floor_ms, floor_seq = parse_id(floor)
  if floor_ms > ms or (floor_ms == ms and floor_seq > seq) then ms, seq = floor_ms, floor_seq end
  if now > ms then ms, seq = now, 0 else seq = seq + 1 end
  local id = string.format('%.0f-%.0f', ms, seq)
  redis.call('SET', sequence_key, id)
  return id
end
`;

/**
 * KEYS: sequence, events, history. ARGV: floor, max length, type, target, data, trace context
 * (JSON, or empty when the publish was not traced).
 * Appends one event with the next id and trims the stream to exactly `max length` entries,
 * first noting the newest id that leaves, so a later replay knows whether it missed any.
 * Returns the id.
 */
const APPEND = `${ID_FUNCTIONS}
local now = now_ms()
local id = next_id(KEYS[1], ARGV[1], now)
local max_length = tonumber(ARGV[2])
local length = redis.call('XLEN', KEYS[2])
if length >= max_length then
  local leaving = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', length - max_length + 1)
  redis.call('HSET', KEYS[3], 'dropped', leaving[#leaving][1])
end
if ARGV[6] == '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', max_length, id, 'type', ARGV[3], 'target', ARGV[4], 'data', ARGV[5])
else
  redis.call('XADD', KEYS[2], 'MAXLEN', max_length, id, 'type', ARGV[3], 'target', ARGV[4], 'data', ARGV[5], 'trace', ARGV[6])
end
redis.call('HSETNX', KEYS[3], 'origin', id)
return id
`;

/**
 * KEYS: events, history. ARGV: after, limit.
 * Returns { origin or '', dropped or '', entries after `after` }, read in one step so the
 * completeness markers match the entries.
 */
const READ_AFTER = `
local history = redis.call('HMGET', KEYS[2], 'origin', 'dropped')
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
return { history[1] or '', history[2] or '', entries }
`;

/**
 * What every subscription script shares.
 * KEYS: sequence, changes, expiry, instances.
 * ARGV: key base, floor, instance id, grace period ms, lease ms, then the script's own.
 *
 * A client's subscriptions expire a grace period after its last connection, on any instance,
 * closed. Each instance counts its own connections and keeps one presence entry per client in
 * Redis while it holds any, under a lease it renews; so a crashed instance's connections count
 * as gone once its lease has run out. Expiry deadlines live in one sorted set that instances
 * sweep, and every script first settles a due expiry of the client it touches, so the
 * `expired` change always comes before any later change of that client.
 */
const SUBSCRIPTION_FUNCTIONS = `${ID_FUNCTIONS}
local SEQUENCE, CHANGES, EXPIRY, INSTANCES = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local BASE, FLOOR, INSTANCE = ARGV[1], ARGV[2], ARGV[3]
local GRACE, LEASE = tonumber(ARGV[4]), tonumber(ARGV[5])
local NOW = now_ms()

local function subscriptions_key(client) return BASE .. 'subs:' .. client end
local function presence_key(client) return BASE .. 'presence:' .. client end
local function instance_clients_key(instance) return BASE .. 'instance:' .. instance .. ':clients' end

-- A change goes into the changes stream with an id from the same sequence as events, so every
-- instance's reader applies it before any event accepted after it.
local function emit(kind, client, data)
  local id = next_id(SEQUENCE, FLOOR, NOW)
  redis.call('XADD', CHANGES, 'MAXLEN', '~', ${CHANGES_STREAM_MAXLEN}, id, 'kind', kind, 'client', client, 'data', data)
end

-- Whether an instance whose lease is still running holds a connection of the client.
local function has_live_presence(client)
  for _, instance in ipairs(redis.call('SMEMBERS', presence_key(client))) do
    local lease = redis.call('ZSCORE', INSTANCES, instance)
    if lease and tonumber(lease) > NOW then return true end
  end
  return false
end

local function schedule_expiry(client, at)
  if redis.call('EXISTS', subscriptions_key(client)) == 1 then
    redis.call('ZADD', EXPIRY, at, client)
    redis.call('PEXPIREAT', subscriptions_key(client), at + ${EXPIRY_BACKSTOP_MS})
  end
end

local function cancel_expiry(client)
  if redis.call('ZREM', EXPIRY, client) == 1 then
    redis.call('PERSIST', subscriptions_key(client))
  end
end

local function settle(client)
  local at = redis.call('ZSCORE', EXPIRY, client)
  if at and tonumber(at) <= NOW then
    if has_live_presence(client) then
      cancel_expiry(client)
    else
      redis.call('ZREM', EXPIRY, client)
      redis.call('DEL', subscriptions_key(client))
      emit('expired', client, '[]')
    end
  end
end
`;

/** ARGV[6]: client, then topic/since pairs. Adds the topics not held yet; returns all. */
const ADD = `${SUBSCRIPTION_FUNCTIONS}
local client = ARGV[6]
settle(client)
local added = {}
for i = 7, #ARGV, 2 do
  if redis.call('HSETNX', subscriptions_key(client), ARGV[i], ARGV[i + 1]) == 1 then
    added[#added + 1] = { ARGV[i], ARGV[i + 1] }
  end
end
if #added > 0 then emit('added', client, cjson.encode(added)) end
-- Like the in-memory registry: without a connection anywhere, the grace period starts again.
if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
return redis.call('HGETALL', subscriptions_key(client))
`;

/** ARGV[6]: client, then topics. Removes those held; returns what is left. */
const REMOVE = `${SUBSCRIPTION_FUNCTIONS}
local client = ARGV[6]
settle(client)
local removed = {}
for i = 7, #ARGV do
  if redis.call('HDEL', subscriptions_key(client), ARGV[i]) == 1 then removed[#removed + 1] = ARGV[i] end
end
if #removed > 0 then emit('removed', client, cjson.encode(removed)) end
if redis.call('EXISTS', subscriptions_key(client)) == 0 then redis.call('ZREM', EXPIRY, client) end
return redis.call('HGETALL', subscriptions_key(client))
`;

/** ARGV[6]: client. Returns the client's topic/since pairs. */
const LIST = `${SUBSCRIPTION_FUNCTIONS}
local client = ARGV[6]
settle(client)
return redis.call('HGETALL', subscriptions_key(client))
`;

/**
 * ARGV[6]: client. This instance now holds a connection of the client: its subscriptions stop
 * expiring. Renews the instance's lease; returns 0 when the instance had no lease (first use,
 * or a sweeper let go of it), so the caller registers its other clients again.
 */
const OPENED = `${SUBSCRIPTION_FUNCTIONS}
local client = ARGV[6]
settle(client)
local known = redis.call('ZSCORE', INSTANCES, INSTANCE)
redis.call('ZADD', INSTANCES, NOW + LEASE, INSTANCE)
redis.call('SADD', presence_key(client), INSTANCE)
redis.call('SADD', instance_clients_key(INSTANCE), client)
cancel_expiry(client)
if known then return 1 end
return 0
`;

/** ARGV[6]: client. This instance's last connection of the client closed. */
const CLOSED = `${SUBSCRIPTION_FUNCTIONS}
local client = ARGV[6]
settle(client)
redis.call('SREM', presence_key(client), INSTANCE)
redis.call('SREM', instance_clients_key(INSTANCE), client)
if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
return 1
`;

/** Renews this instance's lease. Returns 0 when it had none (see OPENED). */
const RENEW = `${SUBSCRIPTION_FUNCTIONS}
local known = redis.call('ZSCORE', INSTANCES, INSTANCE)
redis.call('ZADD', INSTANCES, NOW + LEASE, INSTANCE)
if known then return 1 end
return 0
`;

/**
 * ARGV[6]: batch size. This instance shuts down: up to a batch of its clients are let go of as
 * if their connections closed now. Returns how many are left; at 0 its lease is gone too.
 */
const LEAVE = `${SUBSCRIPTION_FUNCTIONS}
local batch = tonumber(ARGV[6])
local clients = redis.call('SPOP', instance_clients_key(INSTANCE), batch)
for _, client in ipairs(clients) do
  settle(client)
  redis.call('SREM', presence_key(client), INSTANCE)
  if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
end
local left = redis.call('SCARD', instance_clients_key(INSTANCE))
if left == 0 then redis.call('ZREM', INSTANCES, INSTANCE) end
return left
`;

/**
 * ARGV[6]: batch size. Run by every instance now and then; whichever runs first does the work.
 * 1. An instance whose lease ran out more than a lease ago (it crashed, or lost Redis for that
 *    long) is let go of: its connections count as closed when its lease ran out.
 * 2. Due expiries are settled: topics deleted, an `expired` change emitted.
 * Returns how much it did; a full batch means the caller should sweep again soon.
 */
const SWEEP = `${SUBSCRIPTION_FUNCTIONS}
local batch = tonumber(ARGV[6])
local work = 0
local lapsed = redis.call('ZRANGEBYSCORE', INSTANCES, '-inf', NOW - LEASE, 'WITHSCORES', 'LIMIT', 0, 1)
if #lapsed > 0 then
  local instance, ended = lapsed[1], tonumber(lapsed[2])
  local clients = redis.call('SPOP', instance_clients_key(instance), batch)
  for _, client in ipairs(clients) do
    redis.call('SREM', presence_key(client), instance)
    local scheduled = redis.call('ZSCORE', EXPIRY, client)
    if not has_live_presence(client) and (not scheduled or tonumber(scheduled) < ended + GRACE) then
      schedule_expiry(client, ended + GRACE)
    end
  end
  if redis.call('SCARD', instance_clients_key(instance)) == 0 then redis.call('ZREM', INSTANCES, instance) end
  work = work + #clients + 1
end
local due = redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', NOW, 'LIMIT', 0, batch)
for _, client in ipairs(due) do settle(client) end
return work + #due
`;

/** @internal */
export const HUB_SCRIPTS = {
  sseAppend: APPEND,
  sseReadAfter: READ_AFTER,
  sseSubscriptionsAdd: ADD,
  sseSubscriptionsRemove: REMOVE,
  sseSubscriptionsList: LIST,
  sseConnectionOpened: OPENED,
  sseConnectionClosed: CLOSED,
  sseInstanceRenew: RENEW,
  sseInstanceLeave: LEAVE,
  sseSweep: SWEEP,
} as const;

export type HubScript = keyof typeof HUB_SCRIPTS;

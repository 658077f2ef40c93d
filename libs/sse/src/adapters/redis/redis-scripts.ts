import type { ClientId } from '../../domain/index.js';
import { KEY_SHAPES, type FixedKey, type KeyShape, type RedisKeys } from './redis-keys.js';

/**
 * The Lua scripts behind the Redis adapters. Each runs atomically on the server, which is what
 * makes the hub-wide order possible: an id is taken and its entry written in one step, so no
 * entry with a smaller id can appear after a reader has passed it.
 *
 * Time comes from Redis (`TIME`), never from an instance, so instances with skewed clocks still
 * agree on ids, leases and expiry deadlines.
 *
 * Each script names its `KEYS` and `ARGV` once, in its contract below: the Lua locals they bind
 * to (`KEY_EVENTS`, `ARG_FLOOR`…) are generated from those names, and `RedisConnections.run`
 * takes the arguments by the same names and the keys from `RedisKeys`, so TypeScript and Lua
 * cannot disagree on an order. Arguments past the named ones (lists) start at `ARGV[REST]`.
 *
 * Every key a script touches is in `KEYS`, as Redis Cluster requires: the fixed keys by name,
 * then the per-client keys of the call (`declaredKeys` in the contract says which the caller
 * passes). The scripts spell a per-client key with `subscriptions_key(id)` and the like, which
 * fail the script when the key was not passed, so an undeclared key is an error on a single
 * server too, not only on a cluster.
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
 * The per-call keys a script is passed after its fixed ones, each named for where it comes from:
 * - `client`: the subscriptions and presence keys of the client `ARG_CLIENT`;
 * - `instance`: the client set of this instance, `ARG_INSTANCE`;
 * - `idempotency`: the keys of the idempotency keys in an APPEND list (`REST`), those given;
 * - `lapsedInstance`: the client set of `ARG_LAPSED`, when one is given;
 * - `listedClients`: the subscriptions and presence keys of every client in the list (`REST`).
 */
export type PerCallKeys = 'client' | 'instance' | 'idempotency' | 'lapsedInstance' | 'listedClients';

/** One script: the keys it is given (fixed, then per call), its named arguments, its body. */
interface ScriptContract<K extends FixedKey, A extends string> {
  readonly keys: readonly K[];
  readonly perCall: readonly PerCallKeys[];
  readonly args: readonly A[];
  readonly lua: string;
}

/** `events` -> `KEY_EVENTS`, `maxLength` -> `ARG_MAX_LENGTH`: the Lua local of a name. */
const luaName = (kind: 'KEY' | 'ARG', name: string): string =>
  `${kind}_${name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;

/** Ends the generated prelude; the script's own body follows. */
export const PRELUDE_END = '-- end of prelude';

/**
 * The Lua that binds a contract's keys and arguments to named locals, ahead of its body, and
 * notes the per-client keys passed after the fixed ones (see `declared` below).
 */
function prelude(keys: readonly string[], args: readonly string[]): string {
  const bind = (kind: 'KEY' | 'ARG', names: readonly string[], array: string) =>
    names.map((name, index) => `local ${luaName(kind, name)} = ${array}[${index + 1}]`).join('\n');
  return [
    bind('KEY', keys, 'KEYS'),
    bind('ARG', args, 'ARGV'),
    `local REST = ${args.length + 1}`,
    `local DECLARED = {}`,
    `for i = ${keys.length + 1}, #KEYS do DECLARED[KEYS[i]] = true end`,
    `local function declared(key) if not DECLARED[key] then error('sse-hub: key not passed in KEYS: ' .. key) end return key end`,
    PRELUDE_END,
    '',
  ].join('\n');
}

function script<const K extends FixedKey, const A extends string>(
  keys: readonly K[],
  args: readonly A[],
  body: string,
  perCall: readonly PerCallKeys[] = [],
): ScriptContract<K, A> {
  return { keys, perCall, args, lua: `${prelude(keys, args)}${body}` };
}

/**
 * `subscriptions_key(id)` and the like: the per-client keys, spelled as `KEY_SHAPES` says, each
 * checked to have been passed in `KEYS`.
 */
const KEY_SHAPE_FUNCTIONS = (Object.entries(KEY_SHAPES) as [KeyShape, readonly [string, string]][])
  .map(
    ([shape, [before, after]]) =>
      `local function ${shape.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}_key(id) return declared(ARG_BASE .. '${before}' .. id .. '${after}') end`,
  )
  .join('\n');

/**
 * The fields of each event in an APPEND call's list, in order (`traceContext` is JSON, or empty
 * when the publish was not traced; `idempotencyKey` is empty when the publish has none).
 */
export const APPEND_FIELDS = ['type', 'target', 'data', 'traceContext', 'idempotencyKey', 'windowMs'] as const;

/**
 * Appends the events of its list (`APPEND_FIELDS` each), in order, each with the next id, and
 * trims the stream to exactly `maxLength` entries, first noting the newest id that leaves, so a
 * later replay knows whether it missed any. An event with an idempotency key that an event
 * appended within `windowMs` already used is answered with that event's id and not appended:
 * the check and the append are one atomic step, so of two concurrent publishes with one key
 * exactly one appends, and a crash cannot leave a key without its event.
 *
 * One call takes every append an instance started in one turn of its event loop: they become
 * visible together, so a reader blocked on the stream is woken once with all of them (and each
 * connection gets them in one write) rather than once with the first.
 * Returns { id, 1 if that id is an earlier event's (a repeat) else 0 } for each event, flattened.
 */
const APPEND = script(
  ['sequence', 'events', 'history'],
  ['floor', 'maxLength', 'base'],
  `${ID_FUNCTIONS}
${KEY_SHAPE_FUNCTIONS}
local max_length = tonumber(ARG_MAX_LENGTH)
local now = now_ms()
local answers = {}
for i = REST, #ARGV, ${APPEND_FIELDS.length} do
  local event_type, target, data, trace, key, window = unpack(ARGV, i, i + ${APPEND_FIELDS.length - 1})
  local once = nil
  local first = nil
  if key ~= '' then
    once = idempotency_key(key)
    first = redis.call('GET', once)
  end
  if first then
    answers[#answers + 1] = first
    answers[#answers + 1] = 1
  else
    local id = next_id(KEY_SEQUENCE, ARG_FLOOR, now)
    local length = redis.call('XLEN', KEY_EVENTS)
    if length >= max_length then
      local leaving = redis.call('XRANGE', KEY_EVENTS, '-', '+', 'COUNT', length - max_length + 1)
      redis.call('HSET', KEY_HISTORY, 'dropped', leaving[#leaving][1])
    end
    if trace == '' then
      redis.call('XADD', KEY_EVENTS, 'MAXLEN', max_length, id, 'type', event_type, 'target', target, 'data', data)
    else
      redis.call('XADD', KEY_EVENTS, 'MAXLEN', max_length, id, 'type', event_type, 'target', target, 'data', data, 'trace', trace)
    end
    redis.call('HSETNX', KEY_HISTORY, 'origin', id)
    if once then redis.call('SET', once, id, 'PX', window) end
    answers[#answers + 1] = id
    answers[#answers + 1] = 0
  end
end
return answers
`,
  ['idempotency'],
);

/**
 * Returns { origin or '', dropped or '', entries after `after`, newest id or '' }, read in one
 * step so the completeness markers match the entries.
 */
const READ_AFTER = script(
  ['events', 'history'],
  ['after', 'limit'],
  `
local history = redis.call('HMGET', KEY_HISTORY, 'origin', 'dropped')
local entries = redis.call('XRANGE', KEY_EVENTS, '(' .. ARG_AFTER, '+', 'COUNT', ARG_LIMIT)
local newest = redis.call('XREVRANGE', KEY_EVENTS, '+', '-', 'COUNT', 1)
return { history[1] or '', history[2] or '', entries, newest[1] and newest[1][1] or '' }
`,
);

/**
 * Returns the newest event id; before the first event, the origin, which it first sets to the
 * next id of the sequence if the stream has none: the point where this stream's life begins,
 * so a client that was handed it can later be told its replay is complete.
 */
const HEAD = script(
  ['sequence', 'events', 'history'],
  ['floor'],
  `${ID_FUNCTIONS}
local newest = redis.call('XREVRANGE', KEY_EVENTS, '+', '-', 'COUNT', 1)
if newest[1] then return newest[1][1] end
local origin = redis.call('HGET', KEY_HISTORY, 'origin')
if origin then return origin end
origin = next_id(KEY_SEQUENCE, ARG_FLOOR, now_ms())
redis.call('HSET', KEY_HISTORY, 'origin', origin)
return origin
`,
);

/** The keys and the first arguments of every subscription script. */
const SUBSCRIPTION_KEYS = ['sequence', 'changes', 'expiry', 'instances'] as const;
const SUBSCRIPTION_ARGS = ['base', 'floor', 'instance', 'gracePeriodMs', 'leaseMs'] as const;

/**
 * What every subscription script shares.
 *
 * A client's subscriptions expire a grace period after its last connection, on any instance,
 * closed. Each instance counts its own connections and keeps one presence entry per client in
 * Redis while it holds any, under a lease it renews; so a crashed instance's connections count
 * as gone once its lease has run out. Expiry deadlines live in one sorted set that instances
 * sweep, and every script first settles a due expiry of the client it touches, so the
 * `expired` change always comes before any later change of that client.
 */
const SUBSCRIPTION_FUNCTIONS = `${ID_FUNCTIONS}
${KEY_SHAPE_FUNCTIONS}
local GRACE, LEASE = tonumber(ARG_GRACE_PERIOD_MS), tonumber(ARG_LEASE_MS)
local NOW = now_ms()

-- A change goes into the changes stream with an id from the same sequence as events, so every
-- instance's reader applies it before any event accepted after it.
local function emit(kind, client, data)
  local id = next_id(KEY_SEQUENCE, ARG_FLOOR, NOW)
  redis.call('XADD', KEY_CHANGES, 'MAXLEN', '~', ${CHANGES_STREAM_MAXLEN}, id, 'kind', kind, 'client', client, 'data', data)
end

-- Whether an instance whose lease is still running holds a connection of the client.
local function has_live_presence(client)
  for _, instance in ipairs(redis.call('SMEMBERS', presence_key(client))) do
    local lease = redis.call('ZSCORE', KEY_INSTANCES, instance)
    if lease and tonumber(lease) > NOW then return true end
  end
  return false
end

local function schedule_expiry(client, at)
  if redis.call('EXISTS', subscriptions_key(client)) == 1 then
    redis.call('ZADD', KEY_EXPIRY, at, client)
    redis.call('PEXPIREAT', subscriptions_key(client), at + ${EXPIRY_BACKSTOP_MS})
  end
end

local function cancel_expiry(client)
  if redis.call('ZREM', KEY_EXPIRY, client) == 1 then
    redis.call('PERSIST', subscriptions_key(client))
  end
end

local function settle(client)
  local at = redis.call('ZSCORE', KEY_EXPIRY, client)
  if at and tonumber(at) <= NOW then
    if has_live_presence(client) then
      cancel_expiry(client)
    else
      redis.call('ZREM', KEY_EXPIRY, client)
      -- The topics go with the change, for whoever acts on their end (presence events).
      local topics = redis.call('HKEYS', subscriptions_key(client))
      redis.call('DEL', subscriptions_key(client))
      emit('expired', client, #topics > 0 and cjson.encode(topics) or '[]')
    end
  end
end
`;

/** A subscription script: the shared keys and arguments, then its own, then its body. */
function subscriptionScript<const A extends string>(
  args: readonly A[],
  body: string,
  perCall: readonly PerCallKeys[] = ['client', 'instance'],
) {
  return script(SUBSCRIPTION_KEYS, [...SUBSCRIPTION_ARGS, ...args], `${SUBSCRIPTION_FUNCTIONS}${body}`, perCall);
}

/** Then topic/since pairs. Adds the topics not held yet; returns all. */
const ADD = subscriptionScript(
  ['client'],
  `
local client = ARG_CLIENT
settle(client)
local added = {}
for i = REST, #ARGV, 2 do
  if redis.call('HSETNX', subscriptions_key(client), ARGV[i], ARGV[i + 1]) == 1 then
    added[#added + 1] = { ARGV[i], ARGV[i + 1] }
  end
end
if #added > 0 then emit('added', client, cjson.encode(added)) end
-- Like the in-memory registry: without a connection anywhere, the grace period starts again.
if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
return redis.call('HGETALL', subscriptions_key(client))
`,
);

/** Then topics. Removes those held; returns what is left. */
const REMOVE = subscriptionScript(
  ['client'],
  `
local client = ARG_CLIENT
settle(client)
local removed = {}
for i = REST, #ARGV do
  if redis.call('HDEL', subscriptions_key(client), ARGV[i]) == 1 then removed[#removed + 1] = ARGV[i] end
end
if #removed > 0 then emit('removed', client, cjson.encode(removed)) end
if redis.call('EXISTS', subscriptions_key(client)) == 0 then redis.call('ZREM', KEY_EXPIRY, client) end
return redis.call('HGETALL', subscriptions_key(client))
`,
);

/** Returns the client's topic/since pairs. */
const LIST = subscriptionScript(
  ['client'],
  `
local client = ARG_CLIENT
settle(client)
return redis.call('HGETALL', subscriptions_key(client))
`,
);

/**
 * This instance now holds a connection of the client: its subscriptions stop expiring. Renews
 * the instance's lease; returns 0 when the instance had no lease (first use, or a sweeper let go
 * of it), so the caller registers its other clients again.
 */
const OPENED = subscriptionScript(
  ['client'],
  `
local client = ARG_CLIENT
settle(client)
local known = redis.call('ZSCORE', KEY_INSTANCES, ARG_INSTANCE)
redis.call('ZADD', KEY_INSTANCES, NOW + LEASE, ARG_INSTANCE)
redis.call('SADD', presence_key(client), ARG_INSTANCE)
redis.call('SADD', instance_clients_key(ARG_INSTANCE), client)
cancel_expiry(client)
if known then return 1 end
return 0
`,
);

/** This instance's last connection of the client closed. */
const CLOSED = subscriptionScript(
  ['client'],
  `
local client = ARG_CLIENT
settle(client)
redis.call('SREM', presence_key(client), ARG_INSTANCE)
redis.call('SREM', instance_clients_key(ARG_INSTANCE), client)
if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
return 1
`,
);

/** Renews this instance's lease. Returns 0 when it had none (see OPENED). */
const RENEW = subscriptionScript(
  [],
  `
local known = redis.call('ZSCORE', KEY_INSTANCES, ARG_INSTANCE)
redis.call('ZADD', KEY_INSTANCES, NOW + LEASE, ARG_INSTANCE)
if known then return 1 end
return 0
`,
  [],
);

/**
 * This instance shuts down: the clients listed (a batch of its client set, which the caller read
 * first, since a script may touch only the keys it was passed) are let go of as if their
 * connections closed now. Returns how many are left; at 0 its lease is gone too.
 */
const LEAVE = subscriptionScript(
  [],
  `
for i = REST, #ARGV do
  local client = ARGV[i]
  if redis.call('SREM', instance_clients_key(ARG_INSTANCE), client) == 1 then
    settle(client)
    redis.call('SREM', presence_key(client), ARG_INSTANCE)
    if not has_live_presence(client) then schedule_expiry(client, NOW + GRACE) end
  end
end
local left = redis.call('SCARD', instance_clients_key(ARG_INSTANCE))
if left == 0 then redis.call('ZREM', KEY_INSTANCES, ARG_INSTANCE) end
return left
`,
  ['instance', 'listedClients'],
);

/**
 * Run by every instance now and then; whichever runs first does the work. The caller reads the
 * candidates first (the instance with the oldest lease and a batch of its clients, then the
 * earliest expiry deadlines: `lapsedCount` clients, then the rest of the list) and this script
 * acts on those that are due by Redis's clock:
 * 1. An instance whose lease ran out more than a lease ago (it crashed, or lost Redis for that
 *    long) is let go of: its connections count as closed when its lease ran out.
 * 2. Due expiries are settled: topics deleted, an `expired` change emitted.
 * Returns how much it did; a full batch means the caller should sweep again soon.
 */
const SWEEP = subscriptionScript(
  ['lapsed', 'lapsedCount'],
  `
local work = 0
local due_from = REST + tonumber(ARG_LAPSED_COUNT)
local lease = ARG_LAPSED ~= '' and redis.call('ZSCORE', KEY_INSTANCES, ARG_LAPSED)
if lease and tonumber(lease) <= NOW - LEASE then
  local instance, ended = ARG_LAPSED, tonumber(lease)
  for i = REST, due_from - 1 do
    local client = ARGV[i]
    if redis.call('SREM', instance_clients_key(instance), client) == 1 then
      redis.call('SREM', presence_key(client), instance)
      local scheduled = redis.call('ZSCORE', KEY_EXPIRY, client)
      if not has_live_presence(client) and (not scheduled or tonumber(scheduled) < ended + GRACE) then
        schedule_expiry(client, ended + GRACE)
      end
      work = work + 1
    end
  end
  if redis.call('SCARD', instance_clients_key(instance)) == 0 then redis.call('ZREM', KEY_INSTANCES, instance) end
  work = work + 1
end
for i = due_from, #ARGV do
  local at = redis.call('ZSCORE', KEY_EXPIRY, ARGV[i])
  if at and tonumber(at) <= NOW then
    settle(ARGV[i])
    work = work + 1
  end
end
return work
`,
  ['lapsedInstance', 'listedClients'],
);

/** @internal */
export const HUB_SCRIPTS = {
  sseAppend: APPEND,
  sseReadAfter: READ_AFTER,
  sseHead: HEAD,
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

/** The named arguments of a script, as `RedisConnections.run` takes them. */
export type ScriptArgs<S extends HubScript> = Readonly<
  Record<(typeof HUB_SCRIPTS)[S]['args'][number], string | number>
>;

/** Where each kind of per-call key comes from, given a call's named arguments and its list. */
const PER_CALL_KEYS: Readonly<
  Record<PerCallKeys, (keys: RedisKeys, args: Readonly<Record<string, string | number>>, rest: readonly string[]) => string[]>
> = {
  client: (keys, { client }) => [keys.subscriptions(clientIdOf(client)), keys.presence(clientIdOf(client))],
  instance: (keys, { instance }) => [keys.instanceClients(String(instance))],
  idempotency: (keys, _args, rest) =>
    rest
      .filter((value, index) => index % APPEND_FIELDS.length === IDEMPOTENCY_FIELD && value !== '')
      .map((key) => keys.idempotency(key)),
  lapsedInstance: (keys, { lapsed }) => (lapsed ? [keys.instanceClients(String(lapsed))] : []),
  listedClients: (keys, _args, rest) =>
    rest.map(clientIdOf).flatMap((client) => [keys.subscriptions(client), keys.presence(client)]),
};

const IDEMPOTENCY_FIELD = APPEND_FIELDS.indexOf('idempotencyKey');

/** A client id as the scripts were given it (the registry passes only ids it validated). */
const clientIdOf = (value: string | number): ClientId => String(value) as ClientId;

/**
 * Every key one call of a script touches, for its `KEYS`: the fixed keys its contract names, then
 * the per-call keys its arguments name. Redis Cluster routes the call by them and refuses a
 * script that touches any other key; the scripts check the same on a single server.
 */
export function scriptKeys(
  keys: RedisKeys,
  script: HubScript,
  args: Readonly<Record<string, string | number>>,
  rest: readonly string[],
): string[] {
  const contract = HUB_SCRIPTS[script];
  return [
    ...contract.keys.map((name) => keys[name]),
    ...contract.perCall.flatMap((kind) => PER_CALL_KEYS[kind](keys, args, rest)),
  ];
}

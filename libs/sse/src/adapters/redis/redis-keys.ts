import type { ClientId } from '../../domain/index.js';

/**
 * Every Redis key of one hub, all under `{<prefix>}:`. Instances that share Redis and prefix are
 * one hub; a different prefix is an unrelated hub on the same server. This file is the one place
 * key names are written: the Lua scripts get every key they touch in `KEYS` (the fixed ones by
 * name, the per-client ones, spelled by `KEY_SHAPES` below, after them; see redis-scripts.ts).
 *
 * The braces are a Redis Cluster hash tag: only `<prefix>` decides the slot, so every key of one
 * hub lives in one slot, which a script that touches several keys needs in cluster mode. A hub is
 * therefore served by one shard (docs/redis.md says what that means and how to spread hubs).
 * @internal
 */
export interface RedisKeys {
  /** `{<prefix>}:`, what every key starts with; scripts spell the per-client keys from it. */
  readonly base: string;
  /** String: the newest id handed out, for events and subscription changes alike. */
  readonly sequence: string;
  /** Stream: the accepted events, capped at the history size. History and live feed in one. */
  readonly events: string;
  /**
   * Hash: `origin` (where this stream's life began: the head handed out before its first event,
   * else that first event's id) and `dropped` (newest trimmed id).
   */
  readonly history: string;
  /** Stream: subscription changes, read together with `events` so both arrive in id order. */
  readonly changes: string;
  /** Sorted set: client id -> when its subscriptions expire (epoch ms, Redis clock). */
  readonly expiry: string;
  /** Sorted set: instance id -> when its lease runs out unless renewed. */
  readonly instances: string;
  /** Pub/sub channel (not a key): commands every instance carries out (see RedisClientCommandsAdapter). */
  readonly commands: string;
  /** Pub/sub channel (not a key): the instances' answers to those commands. */
  readonly commandReplies: string;
  /** Hash: a client's topics -> the `since` id of each subscription. */
  subscriptions(clientId: ClientId): string;
  /** Set: the instances holding at least one connection of the client. */
  presence(clientId: ClientId): string;
  /** Set: the clients an instance holds connections of, so its crash can be cleaned up. */
  instanceClients(instanceId: string): string;
  /** String, expiring after the idempotency window: the id of the event appended with the key. */
  idempotency(key: string): string;
}

/** The keys every instance knows by name, which scripts receive in `KEYS`. */
export type FixedKey = Exclude<keyof RedisKeys, 'base' | KeyShape>;

/** The keys made per client or instance: `<base><before><id><after>`. */
export type KeyShape = 'subscriptions' | 'presence' | 'instanceClients' | 'idempotency';

/** How each per-client or per-instance key is spelled, in TypeScript and (generated) in Lua. */
export const KEY_SHAPES: Readonly<Record<KeyShape, readonly [before: string, after: string]>> = {
  subscriptions: ['subs:', ''],
  presence: ['presence:', ''],
  instanceClients: ['instance:', ':clients'],
  idempotency: ['idem:', ''],
};

const FIXED_KEYS: Readonly<Record<FixedKey, string>> = {
  sequence: 'seq',
  events: 'events',
  history: 'history',
  changes: 'changes',
  expiry: 'expiry',
  instances: 'instances',
  commands: 'commands',
  commandReplies: 'command-replies',
};

/** `{<prefix>}:`: the hash tag that keeps one hub's keys in one cluster slot. */
export const keyBase = (prefix: string): string => `{${prefix}}:`;

export function redisKeys(prefix: string): RedisKeys {
  const base = keyBase(prefix);
  const shaped = (shape: KeyShape) => (id: string) => `${base}${KEY_SHAPES[shape][0]}${id}${KEY_SHAPES[shape][1]}`;
  const fixed = Object.fromEntries(
    Object.entries(FIXED_KEYS).map(([name, suffix]) => [name, `${base}${suffix}`]),
  ) as Record<FixedKey, string>;
  return {
    base,
    ...fixed,
    subscriptions: shaped('subscriptions'),
    presence: shaped('presence'),
    instanceClients: shaped('instanceClients'),
    idempotency: shaped('idempotency'),
  };
}

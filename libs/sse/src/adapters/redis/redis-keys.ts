import type { ClientId } from '../../domain/index.js';

/**
 * Every Redis key of one hub, all under `<prefix>:`. Instances that share Redis and prefix are
 * one hub; a different prefix is an unrelated hub on the same server.
 *
 * The Lua scripts build the per-client keys themselves from `base` (see redis-scripts.ts), since
 * a sweep finds the clients inside Redis; the suffixes here and there must match. Keys are made
 * for a single Redis server (or a Sentinel-managed primary), not for Redis Cluster.
 * @internal
 */
export interface RedisKeys {
  /** `<prefix>:`, what every key starts with; scripts append the per-client suffixes to it. */
  readonly base: string;
  /** String: the newest id handed out, for events and subscription changes alike. */
  readonly sequence: string;
  /** Stream: the accepted events, capped at the history size. History and live feed in one. */
  readonly events: string;
  /** Hash: `origin` (first event id this stream ever held) and `dropped` (newest trimmed id). */
  readonly history: string;
  /** Stream: subscription changes, read together with `events` so both arrive in id order. */
  readonly changes: string;
  /** Sorted set: client id -> when its subscriptions expire (epoch ms, Redis clock). */
  readonly expiry: string;
  /** Sorted set: instance id -> when its lease runs out unless renewed. */
  readonly instances: string;
  /** Hash: a client's topics -> the `since` id of each subscription. */
  subscriptions(clientId: ClientId): string;
  /** Set: the instances holding at least one connection of the client. */
  presence(clientId: ClientId): string;
  /** Set: the clients an instance holds connections of, so its crash can be cleaned up. */
  instanceClients(instanceId: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  const base = `${prefix}:`;
  return {
    base,
    sequence: `${base}seq`,
    events: `${base}events`,
    history: `${base}history`,
    changes: `${base}changes`,
    expiry: `${base}expiry`,
    instances: `${base}instances`,
    subscriptions: (clientId) => `${base}subs:${clientId}`,
    presence: (clientId) => `${base}presence:${clientId}`,
    instanceClients: (instanceId) => `${base}instance:${instanceId}:clients`,
  };
}

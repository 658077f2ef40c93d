import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** One Redis node or Sentinel. @internal */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the hub's Redis is, in each shape production runs it (the module's `redisUrl` and
 * `redis` options resolve to one of these):
 * - one server, by URL (which may carry user, password, database, `rediss://`);
 * - a primary with replicas behind Sentinel: the Sentinels and the primary's name, and the
 *   connection follows the primary through a failover;
 * - a Redis Cluster: some of its nodes; the rest are found from them.
 * @internal
 */
export type RedisTopology =
  | { readonly url: string }
  | {
      readonly sentinels: readonly RedisNodeAddress[];
      readonly name: string;
      readonly username?: string;
      readonly password?: string;
      readonly sentinelPassword?: string;
      readonly db?: number;
    }
  | {
      readonly cluster: readonly RedisNodeAddress[];
      readonly username?: string;
      readonly password?: string;
    };

/** A connection to any of them: ioredis's client for a server (Sentinel included) or a cluster. @internal */
export type RedisClient = Redis | Cluster;

/** What a role (publisher, reader, subscriber) asks of its connection, whatever the topology. */
export type RoleOptions = Partial<RedisOptions>;

/**
 * After a failover the old primary may come back as a replica while a connection still points
 * at it; its writes then fail with READONLY. Reconnecting (through Sentinel, to the new primary)
 * is the fix, and the command that failed is not sent again: its caller was told 503.
 */
const reconnectOnReadOnly = (error: Error): 1 | false => (error.message.startsWith('READONLY') ? 1 : false);

/** The options ioredis takes at the cluster's level rather than per node. */
const CLUSTER_LEVEL = ['enableOfflineQueue', 'retryStrategy'] as const;

/** Opens the first connection of a process to the topology, with a role's options. @internal */
export function connectTo(topology: RedisTopology, role: RoleOptions): RedisClient {
  if ('cluster' in topology) {
    return new Cluster([...topology.cluster], clusterOptions(role, topology));
  }
  if ('sentinels' in topology) {
    return new Redis({
      ...role,
      sentinels: [...topology.sentinels],
      name: topology.name,
      username: topology.username,
      password: topology.password,
      sentinelPassword: topology.sentinelPassword,
      db: topology.db,
      // A primary that dies drops the connection, which reconnects through the Sentinels to the
      // new one; a demoted primary still up answers READONLY, which reconnects too. (ioredis's
      // failoverDetector would hear +switch-master sooner, but its Sentinel sockets outlive
      // quit(), so a closed hub would keep its process alive.)
      reconnectOnError: reconnectOnReadOnly,
    });
  }
  return new Redis(topology.url, { ...role, reconnectOnError: reconnectOnReadOnly });
}

/** Another connection to the same topology with another role's options (ioredis's duplicate). @internal */
export function duplicateOf(client: RedisClient, role: RoleOptions): RedisClient {
  if (client instanceof Cluster) {
    return client.duplicate(undefined, clusterOptions(role, client.options));
  }
  return client.duplicate(role);
}

/**
 * A role's options for a cluster: the queueing choice at the cluster's level (where ioredis reads
 * it), the rest for every node's connection; the same reconnect pacing for the cluster as a whole.
 */
function clusterOptions(role: RoleOptions, base: { username?: string; password?: string; redisOptions?: RedisOptions }): ClusterOptions {
  const nodeOptions: Record<string, unknown> = { ...(base.redisOptions ?? {}), ...role };
  for (const key of CLUSTER_LEVEL) delete nodeOptions[key];
  if ('username' in base && base.username) nodeOptions.username = base.username;
  if ('password' in base && base.password) nodeOptions.password = base.password;
  const retryStrategy = role.retryStrategy;
  return {
    enableOfflineQueue: role.enableOfflineQueue ?? true,
    clusterRetryStrategy: retryStrategy ? (attempt) => retryStrategy(attempt) : undefined,
    // Pub/sub of the hub's channels on the shard that holds its slot, so SPUBLISH's count of
    // receivers is every instance's subscriber (see RedisConnections.publishToHub).
    shardedSubscribers: true,
    redisOptions: nodeOptions as RedisOptions,
  };
}

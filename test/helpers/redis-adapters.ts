import {
  RedisConnections,
  type RedisLogger,
} from '../../libs/sse/src/adapters/redis/redis-connections.js';
import { RedisEventStreamAdapter } from '../../libs/sse/src/adapters/redis/redis-event-stream.adapter.js';
import { RedisHubFeed } from '../../libs/sse/src/adapters/redis/redis-hub-feed.js';
import { RedisSubscriptionRegistryAdapter } from '../../libs/sse/src/adapters/redis/redis-subscription-registry.adapter.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './redis.js';
import type { RedisTopology } from '../../libs/sse/src/adapters/redis/redis-topology.js';

/** Adapter specs expect connection trouble; they assert on it rather than print it. */
export const SILENT: RedisLogger = { log: () => undefined, warn: () => undefined };

export interface RedisInstanceOptions {
  readonly historySize?: number;
  readonly gracePeriodMs?: number;
  readonly leaseMs?: number;
}

/** One process's worth of Redis adapters, wired the way SseAdapterSet wires them. */
export interface RedisTestInstance {
  readonly redis: RedisConnections;
  readonly feed: RedisHubFeed;
  readonly stream: RedisEventStreamAdapter;
  readonly registry: RedisSubscriptionRegistryAdapter;
  close(): Promise<void>;
}

/** A hub on one Redis and one key prefix; each `instance()` is another process's adapters. */
export class RedisTestHub {
  readonly prefix: string;
  private readonly instances: RedisTestInstance[] = [];

  /** `where`: a server's URL, or a Sentinel or cluster topology. */
  constructor(
    readonly where: string | RedisTopology = SHARED_REDIS_URL,
    prefix = uniqueRedisPrefix('adapters'),
  ) {
    this.prefix = prefix;
  }

  private get topology(): RedisTopology {
    return typeof this.where === 'string' ? { url: this.where } : this.where;
  }

  async instance(options: RedisInstanceOptions = {}): Promise<RedisTestInstance> {
    const redis = new RedisConnections({ topology: this.topology, keyPrefix: this.prefix, logger: SILENT });
    const feed = new RedisHubFeed(redis, SILENT);
    const stream = new RedisEventStreamAdapter(redis, feed, options.historySize ?? 1_000);
    const registry = new RedisSubscriptionRegistryAdapter(redis, feed, {
      gracePeriodMs: options.gracePeriodMs ?? 30_000,
      leaseMs: options.leaseMs,
      logger: SILENT,
    });
    feed.start();
    let closed = false;
    const instance: RedisTestInstance = {
      redis,
      feed,
      stream,
      registry,
      close: async () => {
        if (closed) return;
        closed = true;
        await registry.close();
        stream.close();
        feed.close();
        await redis.close();
      },
    };
    this.instances.push(instance);
    if (await redis.whenReady()) {
      await feed.ensureStarted();
    }
    return instance;
  }

  /** Closes every instance, then deletes the prefix's keys. */
  async close(): Promise<void> {
    await Promise.all(this.instances.splice(0).map((instance) => instance.close()));
    if (typeof this.where === 'string') await deleteRedisPrefix(this.prefix, this.where);
  }
}

import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InMemoryClientCommandsAdapter } from './adapters/in-memory/in-memory-client-commands.adapter.js';
import { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
import { InMemoryEventTransportAdapter } from './adapters/in-memory/in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from './adapters/in-memory/in-memory-subscription-registry.adapter.js';
import {
  reportsHealth,
  type BrokerHealth,
  type ClientCommands,
  type EventHistory,
  type EventTransport,
  type SubscriptionRegistry,
  type TransportHealth,
} from './domain/index.js';
import { loadOptionalPeer } from './optional-peer.js';
import type { ResolvedSseOptions } from './sse-resolved-options.js';

/** The Redis adapters' module, imported only when the options ask for Redis. */
type RedisAdapters = typeof import('./adapters/redis/index.js');

/** Something an adapter opened that must be closed on shutdown. */
interface Closable {
  close(): void | Promise<void>;
}

/**
 * Builds the adapters the options ask for, once, and closes on shutdown only those it built:
 * adapters handed in through `adapters` belong to the host app (nest-lab's disconnectRequired).
 * This is the only place that knows adapter classes; everything else sees ports. Built by
 * `create()` (an async factory provider), which loads the Redis adapters, and with them the
 * optional peer `ioredis`, only for `broker: 'redis'`.
 */
export class SseAdapterSet implements OnModuleInit, OnApplicationShutdown {
  readonly history: EventHistory;
  readonly transport: EventTransport;
  readonly registry: SubscriptionRegistry;
  /** Commands every instance carries out (disconnecting a client): over Redis, or in process. */
  readonly commands: ClientCommands;
  /**
   * The broker's health check: that of every adapter in use, built-in (the Redis stream) or
   * given, that implements `TransportHealth`; none when no adapter does (the in-memory ones).
   */
  readonly health?: TransportHealth;
  /** In creation order; closed in reverse, so adapters go before the connections they use. */
  private readonly owned: Closable[] = [];
  private readonly ready: (() => Promise<unknown>)[] = [];

  /**
   * The adapter set the options ask for.
   * @throws SseMissingPeerError with `broker: 'redis'` when `ioredis` is not installed
   */
  static async create(options: ResolvedSseOptions): Promise<SseAdapterSet> {
    return new SseAdapterSet(options, needsRedis(options) ? await loadRedisAdapters() : undefined);
  }

  /** `redisAdapters` is given exactly when `needsRedis(options)` (see `create()`). */
  private constructor(options: ResolvedSseOptions, redisAdapters: RedisAdapters | undefined) {
    const given = options.adapters ?? {};
    if (redisAdapters) {
      const {
        RedisClientCommandsAdapter,
        RedisConnections,
        RedisEventStreamAdapter,
        RedisHubFeed,
        RedisSubscriptionRegistryAdapter,
      } = redisAdapters;
      // One reader per process serves both adapters: events and subscription changes arrive in
      // one order (see RedisHubFeed). The options forbid a custom history with the Redis
      // transport or the other way round, so both are given or neither.
      const redis = this.own(
        new RedisConnections({
          topology: options.redis ?? { url: options.redisUrl },
          keyPrefix: options.redisKeyPrefix,
          minReplicas: options.redisMinReplicas,
        }),
      );
      const feed = this.own(new RedisHubFeed(redis));
      const stream =
        given.history && given.transport
          ? undefined
          : this.own(new RedisEventStreamAdapter(redis, feed, options.historySize));
      this.history = given.history ?? (stream as EventHistory);
      this.transport = given.transport ?? (stream as EventTransport);
      this.registry =
        given.registry ??
        this.own(
          new RedisSubscriptionRegistryAdapter(redis, feed, {
            gracePeriodMs: options.subscriptionGracePeriodMs,
          }),
        );
      this.commands = this.own(new RedisClientCommandsAdapter(redis));
      feed.start();
      // Bounded: with Redis down the hub starts anyway, reports itself unhealthy and reconnects.
      this.ready.push(() =>
        redis.whenReady().then((up) => (up ? feed.ensureStarted() : undefined)),
      );
    } else {
      this.history = given.history ?? this.own(new InMemoryEventHistoryAdapter(options.historySize));
      this.transport = given.transport ?? this.own(new InMemoryEventTransportAdapter());
      this.registry =
        given.registry ??
        this.own(new InMemorySubscriptionRegistryAdapter(options.subscriptionGracePeriodMs));
      this.commands = new InMemoryClientCommandsAdapter();
    }
    this.health = healthOf([this.transport, this.history, this.registry]);
  }

  /** Waits (bounded) for the broker, so the first request after start-up finds it connected. */
  async onModuleInit(): Promise<void> {
    await Promise.all(this.ready.splice(0).map((wait) => wait().catch(() => undefined)));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const adapter of this.owned.splice(0).reverse()) {
      await adapter.close();
    }
  }

  private own<T extends object>(adapter: T): T {
    if ('close' in adapter && typeof adapter.close === 'function') {
      this.owned.push(adapter as T & Closable);
    }
    return adapter;
  }
}

/** Whether the options leave any port to the built-in Redis adapters. */
function needsRedis({ broker, adapters = {} }: ResolvedSseOptions): boolean {
  return broker === 'redis' && !(adapters.history && adapters.transport && adapters.registry);
}

async function loadRedisAdapters(): Promise<RedisAdapters> {
  await loadOptionalPeer('ioredis', "broker: 'redis'", () => import('ioredis'));
  return import('./adapters/redis/index.js');
}

/**
 * One health check for the adapters that report one (an adapter serving two ports counts once):
 * up when every one is up, with their details together.
 */
function healthOf(adapters: object[]): TransportHealth | undefined {
  const checks = [...new Set(adapters)].filter(reportsHealth);
  if (checks.length <= 1) {
    return checks[0];
  }
  return {
    checkHealth: async (): Promise<BrokerHealth> => {
      const answers = await Promise.all(checks.map((check) => check.checkHealth()));
      return {
        up: answers.every((answer) => answer.up),
        details: Object.assign({}, ...answers.map((answer) => answer.details ?? {})) as BrokerHealth['details'],
      };
    },
  };
}

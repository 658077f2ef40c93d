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
/** The PostgreSQL adapters' module, imported only when the options ask for PostgreSQL. */
type PostgresAdapters = typeof import('./adapters/postgres/index.js');

/** The broker adapters' module the options ask for, loaded by `create()`. */
type BrokerAdapters =
  | { readonly broker: 'redis'; readonly adapters: RedisAdapters }
  | { readonly broker: 'postgres'; readonly adapters: PostgresAdapters };

/** Something an adapter opened that must be closed on shutdown. */
interface Closable {
  close(): void | Promise<void>;
}

/**
 * Builds the adapters the options ask for, once, and closes on shutdown only those it built:
 * adapters handed in through `adapters` belong to the host app (nest-lab's disconnectRequired).
 * This is the only place that knows adapter classes; everything else sees ports. Built by
 * `create()` (an async factory provider), which loads the Redis adapters, and with them the
 * optional peer `ioredis`, only for `broker: 'redis'`; the PostgreSQL ones, and `pg`, only for
 * `broker: 'postgres'`.
 */
export class SseAdapterSet implements OnModuleInit, OnApplicationShutdown {
  readonly history: EventHistory;
  readonly transport: EventTransport;
  readonly registry: SubscriptionRegistry;
  /** Commands every instance carries out (disconnecting a client): over the broker, or in process. */
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
   * @throws SseMissingPeerError with `broker: 'redis'` when `ioredis` is not installed, with
   *   `broker: 'postgres'` when `pg` is not
   */
  static async create(options: ResolvedSseOptions): Promise<SseAdapterSet> {
    return new SseAdapterSet(options, await loadBrokerAdapters(options));
  }

  /** `brokerAdapters` is given exactly when the options leave a port to a broker's adapters. */
  private constructor(options: ResolvedSseOptions, brokerAdapters: BrokerAdapters | undefined) {
    const given = options.adapters ?? {};
    const redisAdapters = brokerAdapters?.broker === 'redis' ? brokerAdapters.adapters : undefined;
    const postgresAdapters = brokerAdapters?.broker === 'postgres' ? brokerAdapters.adapters : undefined;
    if (postgresAdapters) {
      const {
        PostgresClientCommandsAdapter,
        PostgresConnections,
        PostgresEventStreamAdapter,
        PostgresHubFeed,
        PostgresSubscriptionRegistryAdapter,
      } = postgresAdapters;
      // As with Redis: one feed per process serves both adapters (events and subscription
      // changes in one id order), and one listener connection serves the feed and the commands.
      const pg = this.own(new PostgresConnections(options.postgres));
      const feed = this.own(new PostgresHubFeed(pg));
      const stream =
        given.history && given.transport
          ? undefined
          : this.own(new PostgresEventStreamAdapter(pg, feed, options.historySize));
      this.history = given.history ?? (stream as EventHistory);
      this.transport = given.transport ?? (stream as EventTransport);
      this.registry =
        given.registry ??
        this.own(
          new PostgresSubscriptionRegistryAdapter(pg, feed, {
            gracePeriodMs: options.subscriptionGracePeriodMs,
          }),
        );
      this.commands = this.own(new PostgresClientCommandsAdapter(pg));
      feed.start();
      // Bounded: with PostgreSQL down the hub starts anyway, reports itself unhealthy and reconnects.
      this.ready.push(() =>
        pg.whenListening().then((up) => (up ? feed.ensureStarted() : undefined)),
      );
    } else if (redisAdapters) {
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

/** Whether the options leave any port to the built-in adapters of a broker. */
function needsBroker({ broker, adapters = {} }: ResolvedSseOptions): boolean {
  return broker !== 'memory' && !(adapters.history && adapters.transport && adapters.registry);
}

/** Loads the adapters (and their optional peer) of the broker the options ask for, if any. */
async function loadBrokerAdapters(options: ResolvedSseOptions): Promise<BrokerAdapters | undefined> {
  if (!needsBroker(options)) {
    return undefined;
  }
  if (options.broker === 'postgres') {
    await loadOptionalPeer('pg', "broker: 'postgres'", () => import('pg'));
    return { broker: 'postgres', adapters: await import('./adapters/postgres/index.js') };
  }
  await loadOptionalPeer('ioredis', "broker: 'redis'", () => import('ioredis'));
  return { broker: 'redis', adapters: await import('./adapters/redis/index.js') };
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

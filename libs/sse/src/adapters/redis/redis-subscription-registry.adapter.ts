import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  ClosedTransportError,
  type ClientId,
  type Subscription,
  type SubscriptionChangeHandler,
  type SubscriptionRegistry,
  type Topic,
  type Unsubscribe,
} from '../../domain/index.js';
import { toBrokerError } from './redis-broker-error.js';
import type { RedisConnections, RedisLogger } from './redis-connections.js';
import { decodeSubscriptions } from './redis-entry-codec.js';
import { InstancePresence } from '../shared/instance-presence.js';
import type { RedisHubFeed } from './redis-hub-feed.js';
import type { HubScript, ScriptArgs } from './redis-scripts.js';

/** The scripts of this adapter, and the arguments they all take first. */
type SubscriptionScript = Exclude<HubScript, 'sseAppend' | 'sseReadAfter'>;
type ClientScript = Exclude<SubscriptionScript, 'sseInstanceRenew' | 'sseInstanceLeave' | 'sseSweep'>;
type SharedArg = 'base' | 'floor' | 'instance' | 'gracePeriodMs' | 'leaseMs';

/** @internal */
export interface RedisSubscriptionRegistryOptions {
  /** How long a client's topics outlive its last connection, on any instance. */
  readonly gracePeriodMs: number;
  /**
   * How long this instance's hold on its clients lasts unless renewed (renewed every third of
   * it). A crashed instance's clients start their grace period when it runs out.
   * @default 15000
   */
  readonly leaseMs?: number;
  /** Names this process in Redis; a random UUID by default. */
  readonly instanceId?: string;
  readonly logger?: RedisLogger;
}

const DEFAULT_LEASE_MS = 15_000;
/** Clients handled per script call when sweeping or leaving, so no call blocks Redis for long. */
const BATCH = 200;
/** Scripts in flight at once while re-registering clients after a reconnect. */
const SYNC_CHUNK = 500;

/**
 * Subscriptions in Redis, shared by every instance on the same key prefix (see redis-scripts.ts
 * for the data layout and the expiry rules, which every script applies atomically).
 *
 * - Topics live in one hash per client (topic -> since).
 * - Each instance counts its own connections per client and keeps one presence entry per
 *   client in Redis while it holds any, under an instance lease it renews. The grace period
 *   starts when no instance with a running lease holds the client any more, whichever instance
 *   the last connection was on, and for a crashed instance when its lease ran out.
 * - Expiry deadlines sit in one sorted set that every instance sweeps now and then; the first
 *   to find a due one deletes the topics and emits an `expired` change.
 * - Changes (added, removed, expired) go into the changes stream, with ids from the same
 *   sequence as events; `watch` hands them over from the process's one reader (RedisHubFeed)
 *   in id order with events, so a subscription made through any instance is in every
 *   instance's local index before any event published after it arrives.
 * - If Redis is away when a connection opens or closes, the local count still changes and the
 *   client is marked unsynced; on reconnect the instance writes its current counts again.
 * @internal
 */
export class RedisSubscriptionRegistryAdapter implements SubscriptionRegistry {
  readonly instanceId: string;
  private readonly gracePeriodMs: number;
  private readonly leaseMs: number;
  private readonly logger: RedisLogger;
  private readonly presence: InstancePresence;
  private closed = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly feed: RedisHubFeed,
    options: RedisSubscriptionRegistryOptions,
  ) {
    this.gracePeriodMs = options.gracePeriodMs;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.instanceId = options.instanceId ?? randomUUID();
    this.logger = options.logger ?? new Logger('SseRedisRegistry');
    this.presence = new InstancePresence(
      {
        opened: async (clientId) => Number(await this.runFor('sseConnectionOpened', clientId)) !== 0,
        closed: async (clientId) => void (await this.runFor('sseConnectionClosed', clientId)),
        renew: async () => Number(await this.run('sseInstanceRenew', {})) !== 0,
        sweep: async () => Number(await this.sweepOnce()),
        leave: () => this.leave(),
      },
      {
        gracePeriodMs: this.gracePeriodMs,
        leaseMs: this.leaseMs,
        batch: BATCH,
        syncChunk: SYNC_CHUNK,
        brokerClosed: () => redis.isClosed,
        onBrokerBack: (listener) => redis.onReconnect(listener),
      },
    );
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async add(clientId: ClientId, subscriptions: readonly Subscription[]): Promise<Subscription[]> {
    const pairs = subscriptions.flatMap(({ topic, since }) => [topic, since]);
    return decodeSubscriptions(await this.runFor('sseSubscriptionsAdd', clientId, pairs));
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async remove(clientId: ClientId, topics: readonly Topic[]): Promise<Subscription[]> {
    return decodeSubscriptions(await this.runFor('sseSubscriptionsRemove', clientId, topics));
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async list(clientId: ClientId): Promise<Subscription[]> {
    return decodeSubscriptions(await this.runFor('sseSubscriptionsList', clientId));
  }

  /**
   * Counts the connection here at once, and tells Redis when it is the client's first on this
   * instance. If Redis cannot be told, the count stands, this throws, and the presence is written
   * on reconnect (see InstancePresence).
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async connectionOpened(clientId: ClientId): Promise<void> {
    this.assertOpen();
    await this.presence.connectionOpened(clientId);
  }

  /**
   * Uncounts the connection. After the client's last connection here, Redis starts the grace
   * period unless another instance holds the client. A failed write is retried on reconnect.
   * @throws ClosedTransportError
   */
  async connectionClosed(clientId: ClientId): Promise<void> {
    this.assertOpen();
    await this.presence.connectionClosed(clientId);
  }

  /** Changes made through any instance, this one included, in the hub-wide order. */
  watch(handler: SubscriptionChangeHandler): Unsubscribe {
    this.assertOpen();
    this.feed.start();
    return this.feed.onChange(handler);
  }

  /**
   * Stops the timers and lets go of this instance's clients in Redis, so their grace periods
   * start now instead of when the lease would run out. Later calls throw ClosedTransportError.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.presence.close();
  }

  /** Lets go of this instance's clients, a batch of its client set at a time. */
  private async leave(): Promise<void> {
    const ownClients = this.redis.keys.instanceClients(this.instanceId);
    for (let left = 1; left > 0; ) {
      const batch = await this.redis.publisher.srandmember(ownClients, BATCH);
      left = Number(await this.run('sseInstanceLeave', {}, batch));
    }
  }

  /**
   * One sweep: reads the candidates (the instance with the oldest lease and a batch of its
   * clients, the earliest expiry deadlines), then has the script act on those due by Redis's
   * clock. Two steps because a script may touch only keys it is passed (Redis Cluster).
   */
  private async sweepOnce(): Promise<unknown> {
    const { instances, expiry, instanceClients } = this.redis.keys;
    const [oldest, due] = await Promise.all([
      this.redis.publisher.zrange(instances, '0', '0'),
      this.redis.publisher.zrange(expiry, '0', String(BATCH - 1)),
    ]);
    const lapsed = oldest[0] ?? '';
    const lapsedClients = lapsed ? await this.redis.publisher.srandmember(instanceClients(lapsed), BATCH) : [];
    return this.run('sseSweep', { lapsed, lapsedCount: lapsedClients.length }, [...lapsedClients, ...due]);
  }

  /** Runs a script about one client; `rest` is its list (topics, topic/since pairs). */
  private runFor(script: ClientScript, clientId: ClientId, rest: readonly string[] = []): Promise<unknown> {
    this.assertOpen();
    return this.run(script, { client: clientId }, rest);
  }

  /**
   * Runs a script with the shared keys and arguments. Once the feed has started, the script is
   * sent in the same tick as the call, so scripts reach Redis in the order they were called.
   */
  private async run<S extends SubscriptionScript>(
    script: S,
    own: Omit<ScriptArgs<S>, SharedArg>,
    rest: readonly string[] = [],
  ): Promise<unknown> {
    const shared: Record<SharedArg, string | number> = {
      base: this.redis.keys.base,
      floor: this.feed.floor,
      instance: this.instanceId,
      gracePeriodMs: this.gracePeriodMs,
      leaseMs: this.leaseMs,
    };
    try {
      if (!this.feed.isStarted) {
        await this.feed.ensureStarted();
      }
      return await this.redis.run(script, { ...shared, ...own } as unknown as ScriptArgs<S>, rest);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private assertOpen(): void {
    if (this.closed || this.redis.isClosed) {
      throw new ClosedTransportError('RedisSubscriptionRegistryAdapter');
    }
  }
}

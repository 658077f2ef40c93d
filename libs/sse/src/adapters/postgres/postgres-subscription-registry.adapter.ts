import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  ClosedTransportError,
  isEventId,
  parseTopic,
  type ClientId,
  type Subscription,
  type SubscriptionChangeHandler,
  type SubscriptionRegistry,
  type Topic,
  type Unsubscribe,
} from '../../domain/index.js';
import { InstancePresence } from '../shared/instance-presence.js';
import { toBrokerError } from './postgres-broker-error.js';
import type { PostgresConnections, PostgresLogger } from './postgres-connections.js';
import type { PostgresHubFeed } from './postgres-hub-feed.js';

/** @internal */
export interface PostgresSubscriptionRegistryOptions {
  /** How long a client's topics outlive its last connection, on any instance. */
  readonly gracePeriodMs: number;
  /**
   * How long this instance's hold on its clients lasts unless renewed (renewed every third of
   * it). A crashed instance's clients start their grace period when it runs out.
   * @default 15000
   */
  readonly leaseMs?: number;
  /** Names this process in the tables; a random UUID by default. */
  readonly instanceId?: string;
  readonly logger?: PostgresLogger;
}

const DEFAULT_LEASE_MS = 15_000;
/** Clients handled per call when sweeping or leaving, so no call holds the hub lock for long. */
const BATCH = 200;
/** Statements in flight at once while writing clients again after a reconnect. */
const SYNC_CHUNK = 100;

/**
 * Subscriptions in PostgreSQL, shared by every instance on the same schema: the Redis registry's
 * design, with its Lua scripts as plpgsql functions (postgres-schema.ts) that each run in one
 * transaction under the hub lock.
 *
 * - Topics are rows of `subscriptions` (client, topic, since).
 * - Each instance counts its own connections per client and keeps one `presence` row per client
 *   while it holds any, under an instance lease it renews. The grace period starts when no
 *   instance with a running lease holds the client any more, whichever instance the last
 *   connection was on, and for a crashed instance when its lease ran out.
 * - Expiry deadlines are rows of `expiry` that every instance sweeps now and then; the first to
 *   find a due one deletes the topics and emits an `expired` change.
 * - Changes go into `subscription_changes`, with ids from the same sequence as events; `watch`
 *   hands them over from the process's feed in id order with events, so a subscription made
 *   through any instance is in every instance's local index before an event published after it.
 * - If PostgreSQL is away when a connection opens or closes, the local count still changes and
 *   the client is marked unsynced; when the listener is back the instance writes them again.
 * @internal
 */
export class PostgresSubscriptionRegistryAdapter implements SubscriptionRegistry {
  readonly instanceId: string;
  private readonly gracePeriodMs: number;
  private readonly leaseMs: number;
  private readonly logger: PostgresLogger;
  private readonly presence: InstancePresence;
  private closed = false;

  constructor(
    private readonly pg: PostgresConnections,
    private readonly feed: PostgresHubFeed,
    options: PostgresSubscriptionRegistryOptions,
  ) {
    this.gracePeriodMs = options.gracePeriodMs;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.instanceId = options.instanceId ?? randomUUID();
    this.logger = options.logger ?? new Logger('SsePostgresRegistry');
    this.presence = new InstancePresence(
      {
        opened: (clientId) => this.opened(clientId),
        closed: (clientId) => this.closedHere(clientId),
        renew: () => this.renew(),
        sweep: () => this.sweepOnce(),
        leave: () => this.leave(),
      },
      {
        gracePeriodMs: this.gracePeriodMs,
        leaseMs: this.leaseMs,
        batch: BATCH,
        syncChunk: SYNC_CHUNK,
        brokerClosed: () => pg.isClosed,
        onBrokerBack: (listener) => pg.onListening(listener),
      },
    );
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async add(clientId: ClientId, subscriptions: readonly Subscription[]): Promise<Subscription[]> {
    return this.subscriptionsOf(
      'subscriptions_add($1, $2, $3, $4, $5, $6)',
      [this.gracePeriodMs, this.pg.channels.feed, clientId, subscriptions.map((s) => s.topic), subscriptions.map((s) => s.since)],
    );
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async remove(clientId: ClientId, topics: readonly Topic[]): Promise<Subscription[]> {
    return this.subscriptionsOf('subscriptions_remove($1, $2, $3, $4)', [this.pg.channels.feed, clientId, [...topics]]);
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async list(clientId: ClientId): Promise<Subscription[]> {
    return this.subscriptionsOf('subscriptions_list($1, $2, $3)', [this.pg.channels.feed, clientId]);
  }

  /**
   * Counts the connection here at once, and tells PostgreSQL when it is the client's first on
   * this instance. If it cannot be told, the count stands, this throws, and the presence is
   * written once PostgreSQL is back (see InstancePresence).
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async connectionOpened(clientId: ClientId): Promise<void> {
    this.assertOpen();
    await this.presence.connectionOpened(clientId);
  }

  /**
   * Uncounts the connection. After the client's last connection here, the grace period starts
   * unless another instance holds the client. A failed write is retried later.
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
   * Stops the timers and lets go of this instance's clients, so their grace periods start now
   * instead of when the lease would run out. Later calls throw ClosedTransportError.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.presence.close();
  }

  /** Lets go of this instance's clients, a batch at a time. */
  private async leave(): Promise<void> {
    for (let left = 1; left > 0; ) {
      const [row] = await this.call<{ left: string }>('instance_leave($1, $2, $3, $4, $5) AS left', [
        this.instanceId,
        this.gracePeriodMs,
        this.pg.channels.feed,
        BATCH,
      ]);
      left = Number(row?.left ?? 0);
    }
  }

  private async opened(clientId: ClientId): Promise<boolean> {
    const [row] = await this.call<{ known: boolean }>('connection_opened($1, $2, $3, $4, $5) AS known', [
      this.instanceId,
      this.leaseMs,
      this.pg.channels.feed,
      clientId,
    ]);
    return row?.known === true;
  }

  private async closedHere(clientId: ClientId): Promise<void> {
    await this.call('connection_closed($1, $2, $3, $4, $5)', [
      this.instanceId,
      this.gracePeriodMs,
      this.pg.channels.feed,
      clientId,
    ]);
  }

  /** One round of settling due expiries and letting go of crashed instances; how much it did. */
  private async sweepOnce(): Promise<number> {
    const [row] = await this.call<{ work: string }>('sweep($1, $2, $3, $4, $5) AS work', [
      this.gracePeriodMs,
      this.leaseMs,
      this.pg.channels.feed,
      BATCH,
    ]);
    return Number(row?.work);
  }

  /** Renews the lease; false when it had lapsed and been let go of. */
  private async renew(): Promise<boolean> {
    try {
      const [row] = await this.pg.query<{ known: boolean }>(
        `SELECT ${this.pg.schema}.instance_renew($1, $2) AS known`,
        [this.instanceId, this.leaseMs],
      );
      return row?.known === true;
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  /** Runs a registry function that answers the client's subscriptions. */
  private async subscriptionsOf(call: string, rest: unknown[]): Promise<Subscription[]> {
    this.assertOpen();
    const rows = await this.call<{ topic: string; since: string }>(`* FROM ${this.pg.schema}.${call}`, rest, false);
    return rows.map(({ topic, since }) => {
      if (!isEventId(since)) {
        throw toBrokerError(new Error('a subscription has no valid since id'));
      }
      return { topic: parseTopic(topic), since };
    });
  }

  /**
   * `SELECT <schema>.<call>` with the feed's floor as `$1` and `rest` after it. The feed is
   * started first, so ids this process is handed are ones its feed will read. Public methods
   * check that the adapter is open; `close()` itself still lets go of its clients through here.
   */
  private async call<R extends object>(call: string, rest: unknown[], qualify = true): Promise<R[]> {
    try {
      if (!this.feed.isStarted) {
        await this.feed.ensureStarted();
      }
      const target = qualify ? `${this.pg.schema}.${call}` : call;
      return await this.pg.query<R & Record<string, unknown>>(`SELECT ${target}`, [this.feed.floor, ...rest]);
    } catch (error) {
      throw toBrokerError(error);
    }
  }

  private assertOpen(): void {
    if (this.closed || this.pg.isClosed) {
      throw new ClosedTransportError('PostgresSubscriptionRegistryAdapter');
    }
  }
}

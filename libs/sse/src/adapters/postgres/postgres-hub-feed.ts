import { Logger } from '@nestjs/common';
import { afterWrites, delay, FeedDelivery } from '../shared/feed-delivery.js';
import {
  BEGINNING,
  compareEventIds,
  type EventId,
  type HubEventHandler,
  type SubscriptionChangeHandler,
  type Unsubscribe,
} from '../../domain/index.js';
import { toBrokerError } from './postgres-broker-error.js';
import type { PostgresConnections, PostgresLogger } from './postgres-connections.js';
import { fromStoredId, toStoredId } from './postgres-ids.js';

/** Rows asked for per read; a bound on what one read holds in memory. */
const READ_BATCH = 500;
const MAX_RETRY_DELAY_MS = 1_000;

/** One row of the merged read: an event or a subscription change. */
interface FeedRow {
  readonly source: 'event' | 'change';
  readonly id: string;
  /** The event's type, or the change's kind. */
  readonly a: string;
  /** The event's target, or the change's client. */
  readonly b: string;
  readonly data: string;
  readonly trace: string | null;
}

/**
 * The one feed of the process: every instance hears of new events and subscription changes
 * through a NOTIFY on the hub's feed channel, which carries only the id (a payload is limited to
 * 8000 bytes; an event may be larger). On a notification, and each time the listener starts
 * listening again after an outage, the feed reads the rows after the last id it handed over,
 * from both tables in one statement (one snapshot), merged in id order, and hands them to the
 * handlers in process (LocalFanout, LocalSubscriptions). Never one read per client connection.
 *
 * Events and changes take their ids from one sequence under the hub lock (postgres-schema.ts),
 * so a subscription made through instance A before a publish through instance B has the smaller
 * id and is applied first, and a read never passes an id that a later commit could fill in.
 * The feed moves its position only past rows it handed over: after an outage it goes on from
 * there, with no gap and no duplicate. Notifications themselves are only a wake-up call.
 * @internal
 */
export class PostgresHubFeed {
  private readonly delivery: FeedDelivery;
  private readonly logger: PostgresLogger;
  private position?: EventId;
  private starting?: Promise<EventId>;
  private wanted = false;
  private reading?: Promise<void>;
  private started = false;
  private closed = false;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly pg: PostgresConnections,
    logger?: PostgresLogger,
  ) {
    this.logger = logger ?? new Logger('SsePostgresFeed');
    this.delivery = new FeedDelivery(this.logger);
  }

  /** The newest id this process knows of, in its stored form: ids it asks for come after it. */
  get floor(): string {
    return toStoredId(this.delivery.newest);
  }

  get isStarted(): boolean {
    return this.position !== undefined;
  }

  /** Starts listening for the feed (once). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.stops.push(
      this.pg.onNotification(this.pg.channels.feed, (payload) => this.onNotified(payload)),
      this.pg.onListening(() => this.read()),
    );
    if (this.pg.isListening()) this.read();
  }

  /**
   * Resolves once the feed has fixed where it starts reading: anything appended after that is
   * handed over by this process, so callers that append await this first.
   * @throws BrokerUnavailableError when PostgreSQL cannot be asked
   */
  async ensureStarted(): Promise<void> {
    if (this.position !== undefined) return;
    this.starting ??= this.readStartPosition().finally(() => {
      this.starting = undefined;
    });
    this.position = await this.starting;
  }

  /** Notes an id this process was handed by a statement (it may not have been read yet). */
  noteIssued(id: EventId): void {
    this.delivery.noteIssued(id);
  }

  onEvent(handler: HubEventHandler): Unsubscribe {
    return this.delivery.onEvent(handler);
  }

  onChange(handler: SubscriptionChangeHandler): Unsubscribe {
    return this.delivery.onChange(handler);
  }

  close(): void {
    this.closed = true;
    this.stops.splice(0).forEach((stop) => stop());
    this.delivery.clear();
  }

  private async readStartPosition(): Promise<EventId> {
    let rows: { last_id: string }[];
    try {
      rows = await this.pg.query<{ last_id: string }>(`SELECT last_id FROM ${this.pg.schema}.hub`);
    } catch (error) {
      throw toBrokerError(error);
    }
    // Every row of either table has an id at or below the sequence: the feed starts after it.
    const start = rows[0] ? fromStoredId(rows[0].last_id) : BEGINNING;
    this.noteIssued(start);
    return start;
  }

  private onNotified(payload: string): void {
    // Only a wake-up call; an id already handed over (this process's own read got there first)
    // needs no read.
    if (this.position !== undefined && /^\d+$/.test(payload)) {
      if (compareEventIds(fromStoredId(payload), this.position) <= 0) return;
    }
    this.read();
  }

  /** Reads until nothing new is left; calls while a read runs make it go round once more. */
  private read(): void {
    this.wanted = true;
    this.reading ??= this.drain().finally(() => {
      this.reading = undefined;
    });
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.wanted && !this.closed) {
      this.wanted = false;
      try {
        await this.ensureStarted();
        const rows = await this.pg.query<FeedRow>(
          `SELECT 'event' AS source, id, type AS a, target AS b, data, trace
             FROM ${this.pg.schema}.events WHERE id > $1
           UNION ALL
           SELECT 'change', id, kind, client, data, NULL
             FROM ${this.pg.schema}.subscription_changes WHERE id > $1
           ORDER BY id LIMIT ${READ_BATCH}`,
          [toStoredId(this.position as EventId)],
        );
        if (this.closed) return;
        this.handOver(rows);
        failures = 0;
        if (rows.length >= READ_BATCH) this.wanted = true;
        // The next read goes out once what was handed over has been written: the notifications
        // that came meanwhile are answered by one read, and each connection gets what they
        // announced in one write.
        await afterWrites();
      } catch (error) {
        if (this.closed || this.pg.isClosed) return;
        if (failures++ === 0 && this.pg.isListening()) {
          this.logger.warn(`Reading the hub's tables failed (${String(error)}); retrying`);
        }
        // Go again after a backoff: PostgreSQL may be away; the listener's comeback also reads.
        this.wanted = true;
        await delay(Math.min(50 * 2 ** failures, MAX_RETRY_DELAY_MS));
      }
    }
  }

  private handOver(rows: FeedRow[]): void {
    for (const row of rows) {
      if (this.closed) return;
      const id = fromStoredId(row.id);
      this.position = id;
      this.noteIssued(id);
      if (row.source === 'event') {
        const fields = new Map([
          ['type', row.a],
          ['target', row.b],
          ['data', row.data],
        ]);
        if (row.trace !== null) fields.set('trace', row.trace);
        this.delivery.deliverEvent({ id, fields });
      } else {
        const fields = new Map([
          ['kind', row.a],
          ['client', row.b],
          ['data', row.data],
        ]);
        this.delivery.deliverChange({ id, fields });
      }
    }
  }
}

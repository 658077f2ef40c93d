import { Logger } from '@nestjs/common';
import { delay, FeedDelivery } from '../shared/feed-delivery.js';
import {
  BEGINNING,
  compareEventIds,
  type EventId,
  type HubEventHandler,
  type SubscriptionChangeHandler,
  type Unsubscribe,
} from '../../domain/index.js';
import { toBrokerError } from './redis-broker-error.js';
import type { RedisConnections, RedisLogger } from './redis-connections.js';
import { READ_BLOCK_MS } from './redis-connections.js';
import {
  decodeStreamsRead,
  optionalEventId,
  type StreamEntry,
} from './redis-entry-codec.js';

/** Entries asked for per stream and read; a bound on what one read holds in memory. */
const READ_BATCH = 500;
const MAX_RETRY_DELAY_MS = 1_000;

interface Position {
  events: EventId;
  changes: EventId;
}

/**
 * The one Redis subscription of the process: a blocking XREAD loop over the events stream and
 * the subscription-changes stream, on the reader connection, fanned out to handlers in process
 * (the transport's and the registry's, which feed LocalFanout and LocalSubscriptions). Never one
 * read per client connection.
 *
 * Both streams take their ids from one sequence (redis-scripts.ts), and one XREAD sees both at
 * one instant, so the loop can hand entries over in exact id order across the two streams. That
 * is what keeps a topic event from overtaking the subscription that entitles a client to it: a
 * subscription made through instance A before a publish through instance B has the smaller id,
 * so B applies it first.
 *
 * The loop keeps its own position and only moves it past entries it has handed over. When Redis
 * goes away the read waits (the reader connection queues it and sends it again on reconnect),
 * then goes on from the same position: no gap, no duplicate.
 * @internal
 */
export class RedisHubFeed {
  private readonly delivery: FeedDelivery;
  private readonly logger: RedisLogger;
  private position?: Position;
  private starting?: Promise<Position>;
  private running?: Promise<void>;
  private closed = false;

  constructor(
    private readonly redis: RedisConnections,
    logger?: RedisLogger,
  ) {
    this.logger = logger ?? new Logger('SseRedisFeed');
    this.delivery = new FeedDelivery(this.logger);
  }

  /** The newest id this process knows of; scripts never hand out an id at or below it. */
  get floor(): EventId {
    return this.delivery.newest;
  }

  /** Whether the loop's start position is fixed (see `ensureStarted`). */
  get isStarted(): boolean {
    return this.position !== undefined;
  }

  /** Starts the read loop (once). */
  start(): void {
    this.running ??= this.run();
  }

  /**
   * Resolves once the loop has fixed where it starts reading. Anything appended after that is
   * read by this process, so callers that append await this first: their own events come back.
   * @throws BrokerUnavailableError when Redis cannot be asked
   */
  async ensureStarted(): Promise<void> {
    if (this.position) {
      return;
    }
    this.starting ??= this.readStartPosition().finally(() => {
      this.starting = undefined;
    });
    this.position = await this.starting;
  }

  /** Notes an id this process was handed by a script (it may not have been read yet). */
  noteIssued(id: EventId): void {
    this.delivery.noteIssued(id);
  }

  onEvent(handler: HubEventHandler): Unsubscribe {
    return this.delivery.onEvent(handler);
  }

  onChange(handler: SubscriptionChangeHandler): Unsubscribe {
    return this.delivery.onChange(handler);
  }

  /** Stops handing entries over; the pending read ends when the connections close. */
  close(): void {
    this.closed = true;
    this.delivery.clear();
  }

  private async readStartPosition(): Promise<Position> {
    let sequence: unknown;
    try {
      sequence = await this.redis.publisher.get(this.redis.keys.sequence);
    } catch (error) {
      throw toBrokerError(error);
    }
    // Every entry of either stream has an id at or below the sequence: the loop starts after it.
    const start = optionalEventId(sequence, 'the sequence') ?? BEGINNING;
    this.noteIssued(start);
    return { events: start, changes: start };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        await this.ensureStarted();
        const position = this.position as Position;
        const { events, changes } = this.redis.keys;
        const reply = await this.redis.reader.call('XREAD', [
          'COUNT',
          READ_BATCH,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          events,
          changes,
          position.events,
          position.changes,
        ]);
        if (this.closed) {
          return;
        }
        const read = decodeStreamsRead(reply);
        this.handOver(read.get(events) ?? [], read.get(changes) ?? []);
        failures = 0;
        // The next read goes out at once and waits in Redis: the appends this process sends at
        // the end of the turn (one call for all of a turn, see TurnBatch) wake it with all of
        // them while the connections are written, and the answer is there for the next poll.
      } catch (error) {
        if (this.closed || this.redis.isClosed) {
          return;
        }
        // Lost connections are reported by RedisConnections, once per outage; anything else
        // (a reply the hub cannot read at all) is worth a line here.
        if (failures++ === 0 && this.redis.isReady()) {
          this.logger.warn(`Reading the hub's streams failed (${String(error)}); retrying`);
        }
        const backoff = Math.min(50 * 2 ** failures, MAX_RETRY_DELAY_MS);
        // Not connected yet (start-up, an outage): go again as soon as Redis is back, or after
        // the backoff. Either way a timer or an event wakes the loop: it never spins.
        if (this.redis.isReady()) {
          await delay(backoff);
        } else {
          await this.redis.whenReady(backoff);
        }
      }
    }
  }

  /**
   * Merges one read of both streams by id. A stream that filled its batch may have more entries
   * waiting, whose ids could fall before entries the other stream returned: entries past the
   * smallest such batch end wait for the next read, which returns them again.
   */
  private handOver(events: StreamEntry[], changes: StreamEntry[]): void {
    const position = this.position as Position;
    let cutoff: EventId | undefined;
    for (const batch of [events, changes]) {
      if (batch.length >= READ_BATCH) {
        const last = batch[batch.length - 1].id;
        if (cutoff === undefined || compareEventIds(last, cutoff) < 0) {
          cutoff = last;
        }
      }
    }
    let e = 0;
    let c = 0;
    while (!this.closed) {
      const event = events[e];
      const change = changes[c];
      const takeEvent =
        event !== undefined && (change === undefined || compareEventIds(event.id, change.id) < 0);
      const next = takeEvent ? event : change;
      if (next === undefined || (cutoff !== undefined && compareEventIds(next.id, cutoff) > 0)) {
        return;
      }
      if (takeEvent) {
        e++;
        position.events = next.id;
        this.delivery.deliverEvent(next);
      } else {
        c++;
        position.changes = next.id;
        this.delivery.deliverChange(next);
      }
      this.noteIssued(next.id);
    }
  }
}

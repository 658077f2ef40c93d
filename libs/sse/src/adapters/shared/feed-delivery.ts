import {
  BEGINNING,
  compareEventIds,
  type EventId,
  type HubEvent,
  type HubEventHandler,
  type SubscriptionChange,
  type SubscriptionChangeHandler,
  type Unsubscribe,
} from '../../domain/index.js';
// The Redis codec's checks are the broker-neutral part (a PostgreSQL row is decoded as a stream
// entry of the same fields); it imports nothing of ioredis.
import { decodeChange, decodeEvent, type StreamEntry } from '../redis/redis-entry-codec.js';

/** Where a feed reports entries it skips and handlers that fail. @internal */
export interface FeedLogger {
  warn(message: string): void;
}

/**
 * The in-process side of a broker feed (Redis streams, PostgreSQL tables): the handlers it hands
 * events and subscription changes to, and the newest id this process has read or been handed
 * (the floor for ids it asks the broker for). An entry it cannot read is skipped and logged, and
 * a handler that throws is logged: neither may stop the feed.
 * @internal
 */
export class FeedDelivery {
  private readonly eventHandlers = new Set<HubEventHandler>();
  private readonly changeHandlers = new Set<SubscriptionChangeHandler>();
  private newestId: EventId = BEGINNING;

  constructor(private readonly logger: FeedLogger) {}

  /** The newest id this process has read or been handed. */
  get newest(): EventId {
    return this.newestId;
  }

  /** Notes an id this process was handed (it may not have been read yet). */
  noteIssued(id: EventId): void {
    if (compareEventIds(id, this.newestId) > 0) {
      this.newestId = id;
    }
  }

  onEvent(handler: HubEventHandler): Unsubscribe {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  onChange(handler: SubscriptionChangeHandler): Unsubscribe {
    this.changeHandlers.add(handler);
    return () => this.changeHandlers.delete(handler);
  }

  /** Decodes an event entry and hands it to every event handler. */
  deliverEvent(entry: StreamEntry): void {
    const event = this.decode(entry, decodeEvent, 'event');
    if (event) this.dispatch<HubEvent>(this.eventHandlers, event);
  }

  /** Decodes a subscription change entry and hands it to every change handler. */
  deliverChange(entry: StreamEntry): void {
    const change = this.decode(entry, decodeChange, 'subscription change');
    if (change) this.dispatch<SubscriptionChange>(this.changeHandlers, change);
  }

  clear(): void {
    this.eventHandlers.clear();
    this.changeHandlers.clear();
  }

  private decode<T>(entry: StreamEntry, decode: (entry: StreamEntry) => T, what: string): T | undefined {
    try {
      return decode(entry);
    } catch (error) {
      this.logger.warn(`Skipped ${what} ${entry.id}: ${String(error)}`);
      return undefined;
    }
  }

  private dispatch<T>(handlers: ReadonlySet<(value: T) => void>, value: T): void {
    for (const handler of handlers) {
      try {
        handler(value);
      } catch (error) {
        this.logger.warn(`A handler failed on ${String(error)}`);
      }
    }
  }
}

/**
 * Resolves once what was handed over has been written: connections flush in the check phase
 * (FlushScheduler), so a feed that reads again after this (the PostgreSQL one, woken by
 * notifications) takes all that came meanwhile in one go and each connection gets it in one
 * write.
 */
export const afterWrites = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A pause that does not keep the process alive. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

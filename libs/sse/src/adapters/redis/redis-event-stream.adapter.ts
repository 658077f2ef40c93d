import {
  BEGINNING,
  ClosedTransportError,
  compareEventIds,
  isEventId,
  type BrokerHealth,
  type EventDraft,
  type EventHistory,
  type EventId,
  type EventTransport,
  type HistoryPage,
  type HubEvent,
  type HubEventHandler,
  type IdempotencyKey,
  type OnceAppended,
  type TransportHealth,
  type Unsubscribe,
} from '../../domain/index.js';
import { TurnBatch } from '../shared/turn-batch.js';
import { toBrokerError } from './redis-broker-error.js';
import type { RedisConnections } from './redis-connections.js';
import {
  arrayOf,
  decodeEntries,
  decodeEvent,
  encodeEvent,
  optionalEventId,
  stringOf,
  type StreamEntry,
} from './redis-entry-codec.js';
import type { RedisHubFeed } from './redis-hub-feed.js';

/** Appends per APPEND call at most: a bound on one script's arguments and run time. */
const MAX_APPENDS_PER_CALL = 256;

/** An append waiting for the end of the turn, with its encoded fields (`APPEND_FIELDS`). */
interface QueuedAppend {
  readonly draft: EventDraft;
  readonly fields: string[];
}

/**
 * History and transport in one Redis stream, the way Mercure's BoltTransport keeps both in one
 * store. Appending an event (one Lua script: take the next id of the hub-wide sequence, XADD,
 * trim to the history size) is what accepts it: from then on it is in every instance's replay,
 * and every instance's reader (RedisHubFeed, one blocking XREAD per process) hands it to its
 * local fan-out. So `publish()` has nothing left to do; a separate Pub/Sub message would only
 * add a second path that could reorder or lose what the stream already holds in order.
 *
 * Ids are `<ms>-<seq>` from Redis's clock, strictly increasing in acceptance order and unique
 * across instances (they come from one key, in an atomic script), and compare with
 * `compareEventIds` from any instance. The stream is trimmed to exactly the history size; the
 * newest id trimmed away is recorded, so `readAfter` knows whether a reader missed something.
 * @internal
 */
export class RedisEventStreamAdapter implements EventHistory, EventTransport, TransportHealth {
  private closed = false;
  /** The appends of a turn of the event loop go to Redis in one APPEND call. */
  private readonly appends = new TurnBatch<QueuedAppend, OnceAppended>(
    (batch) => this.appendBatch(batch),
    MAX_APPENDS_PER_CALL,
  );

  constructor(
    private readonly redis: RedisConnections,
    private readonly feed: RedisHubFeed,
    private readonly historySize: number,
  ) {
    if (!Number.isSafeInteger(historySize) || historySize < 1) {
      throw new RangeError('sse-hub: history size must be a positive integer');
    }
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async append(draft: EventDraft): Promise<HubEvent> {
    const once = await this.appendWith(draft, '', 0);
    if (!('appended' in once)) {
      throw toBrokerError(new Error('an append without a key was answered as a repeat'));
    }
    return once.appended;
  }

  /** One Lua step checks the key and appends (see the APPEND script). @throws as `append` */
  appendOnce(draft: EventDraft, key: IdempotencyKey, windowMs: number): Promise<OnceAppended> {
    return this.appendWith(draft, key, windowMs);
  }

  private async appendWith(draft: EventDraft, idempotencyKey: string, windowMs: number): Promise<OnceAppended> {
    this.assertOpen();
    return this.appends.add({ draft, fields: [...encodeEvent(draft), idempotencyKey, String(windowMs)] });
  }

  /** One APPEND call for the appends of one turn (see `TurnBatch`). */
  private async appendBatch(batch: QueuedAppend[]): Promise<OnceAppended[]> {
    let answers: { id: EventId; repeated: boolean }[];
    try {
      this.assertOpen();
      if (!this.feed.isStarted) await this.feed.ensureStarted();
      const reply = await this.redis.run(
        'sseAppend',
        { floor: this.feed.floor, maxLength: this.historySize, base: this.redis.keys.base },
        batch.flatMap((append) => append.fields),
      );
      answers = decodeAppendReply(reply, batch.length);
      answers.forEach(({ id }) => this.feed.noteIssued(id));
      // With `redisMinReplicas`, a publish is answered only once replicas have the event (a
      // repeat too: its first publish may have been the one that was not confirmed). Unconfirmed
      // is a 503 although the event is in the stream and may be delivered: "not acknowledged",
      // never "acknowledged, then lost"; a retry with the same idempotency key cannot double it.
      // One WAIT covers the batch.
      await this.redis.confirmReplicated();
    } catch (error) {
      throw error instanceof ClosedTransportError ? error : toBrokerError(error);
    }
    return batch.map(({ draft }, index) => {
      const { id, repeated } = answers[index];
      return repeated ? { repeatOf: id } : { appended: { ...draft, id } };
    });
  }

  /**
   * Complete when nothing after `after` was ever trimmed away: `after` is at or past the newest
   * trimmed id, and it belongs to this stream's life. An id older than the stream's origin (the
   * head it handed out before its first event, else that event) comes from before Redis lost its
   * data, so nothing can vouch for it; an id past the newest event is one this hub never reached.
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async readAfter(after: EventId, limit: number): Promise<HistoryPage> {
    this.assertOpen();
    if (!isEventId(after)) {
      throw new TypeError(`sse-hub: "${after}" is not an event id`);
    }
    if (limit < 1) {
      return { events: [], complete: true };
    }
    let reply: unknown;
    try {
      reply = await this.redis.run('sseReadAfter', { after, limit });
    } catch (error) {
      throw toBrokerError(error);
    }
    const [originReply, droppedReply, entries, newestReply] = arrayOf(reply, 'a history page');
    const origin = optionalEventId(originReply, 'the history origin');
    const dropped = optionalEventId(droppedReply, 'the newest trimmed id') ?? BEGINNING;
    const head = optionalEventId(newestReply, 'the newest event id') ?? origin;
    const complete =
      origin !== undefined &&
      head !== undefined &&
      compareEventIds(after, origin) >= 0 &&
      compareEventIds(after, dropped) >= 0 &&
      compareEventIds(after, head) <= 0;
    return { events: decodeEntries(entries).flatMap(decodeReadable), complete };
  }

  /**
   * The newest event's id; before the first, the stream's origin (set now if it has none).
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async headId(): Promise<EventId> {
    this.assertOpen();
    let reply: unknown;
    try {
      await this.feed.ensureStarted();
      reply = await this.redis.run('sseHead', { floor: this.feed.floor });
    } catch (error) {
      throw toBrokerError(error);
    }
    const head = optionalEventId(reply, 'the head id');
    if (head === undefined) {
      throw toBrokerError(new Error('no head id'));
    }
    this.feed.noteIssued(head);
    return head;
  }

  /**
   * Nothing to send: `append` put the event in the stream every instance reads. Resolves once
   * the event is accepted, which it is by now.
   * @throws ClosedTransportError
   */
  async publish(_event: HubEvent): Promise<void> {
    this.assertOpen();
  }

  /** Handlers get every event appended by any instance from now on, in id order. */
  subscribe(handler: HubEventHandler): Unsubscribe {
    this.assertOpen();
    this.feed.start();
    return this.feed.onEvent(handler);
  }

  /** Up when both connections are ready and Redis answers PING within the command timeout. */
  async checkHealth(): Promise<BrokerHealth> {
    const details = {
      broker: 'redis',
      topology: this.redis.topologyKind,
      minReplicas: this.redis.minReplicas,
      publisher: this.redis.publisher.status,
      reader: this.redis.reader.status,
    };
    if (this.closed || !this.redis.isReady()) {
      return { up: false, details };
    }
    try {
      const pong = stringOf(await this.redis.publisher.ping(), 'PING');
      return { up: pong === 'PONG', details };
    } catch {
      return { up: false, details };
    }
  }

  /** Later calls throw ClosedTransportError; the connections are closed by their owner. */
  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed || this.redis.isClosed) {
      throw new ClosedTransportError('RedisEventStreamAdapter');
    }
  }
}

/**
 * An entry the hub cannot read (written by something else) is left out of a replay, as the live
 * feed leaves it out: a replay shows what the live stream showed, and one bad entry does not
 * break every resume.
 */
function decodeReadable(entry: StreamEntry): HubEvent[] {
  try {
    return [decodeEvent(entry)];
  } catch {
    return [];
  }
}

/** The APPEND reply: an id and a repeat flag per event of the call, in its order. */
function decodeAppendReply(reply: unknown, count: number): { id: EventId; repeated: boolean }[] {
  const flat = arrayOf(reply, 'an append reply');
  if (flat.length !== count * 2) {
    throw new Error(`an append of ${count} events was answered with ${flat.length / 2}`);
  }
  return Array.from({ length: count }, (_, index) => {
    const id = optionalEventId(flat[index * 2], 'an appended event id');
    if (id === undefined) throw new Error('an append was answered without an id');
    return { id, repeated: Number(flat[index * 2 + 1]) === 1 };
  });
}

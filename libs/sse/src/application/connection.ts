import {
  compareEventIds,
  isEntitled,
  TopicScope,
  type ClientId,
  type EventId,
  type HubEvent,
  type SubscriptionLookup,
} from '../domain/index.js';
import type { ConnectionSink } from './connection-sink.js';
import { HeartbeatClock } from './heartbeat-clock.js';
import type { CloseReason } from './hub-lifecycle-events.js';
import { frameWeight, HEARTBEAT_MESSAGE, toReplayMessage, toStreamMessage, type StreamMessage } from './stream-message.js';

/** The longest delay `setTimeout` waits (2^31-1 ms); a longer one fires at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface ConnectionSettings {
  /** Frames that may wait for a backed-up socket before the connection is dropped as too slow. */
  readonly maxQueuedEvents: number;
  /** What those frames may weigh (see `frameWeight`) before it is dropped as too slow. */
  readonly maxQueuedBytes: number;
}

/**
 * One open stream. It starts out "catching up": live events are held while history is replayed,
 * then the held ones newer than the last replayed id follow, so there is no gap and no duplicate
 * (Mercure's liveQueue). Once live, frames go straight to the sink unless the socket is
 * backed up; then they queue, and past the bound (in frames or in bytes) the connection is
 * dropped rather than allowed to grow memory; the client resumes with Last-Event-ID. Held
 * events count against the same bound. A replay never queues: it waits (`whenWritable`) until
 * the socket has taken what was written, so it goes out as fast as the client reads.
 */
export class Connection {
  private catchingUp = true;
  /** Live events that arrived while catching up; allocated when the first one does. */
  private held?: HubEvent[];
  private heldBytes = 0;
  /** Frames waiting for a backed-up socket; allocated when the socket first backs up. */
  private queue?: StreamMessage[];
  private queuedBytes = 0;
  private cancelDrainWait?: () => void;
  /** A replay waiting for the socket to take what it wrote (see `whenWritable`). */
  private writableWaiter?: () => void;
  /** The heartbeat clock's tick at the last write. */
  private lastWriteTick: number;
  /** Until a live event has passed the resume point, ids are compared to drop duplicates. */
  private deduplicating = true;
  private expiry?: NodeJS.Timeout;
  private reason?: CloseReason;
  /** Set by the service once it has forgotten this connection. */
  released = false;

  constructor(
    readonly id: string,
    readonly clientId: ClientId,
    /** The id of the newest event this connection has been given (or was current at). */
    private cursor: EventId,
    private readonly sink: ConnectionSink,
    private readonly settings: ConnectionSettings,
    private readonly clock: HeartbeatClock,
    /** The topics this connection's own token allows (its client's subscriptions may be wider). */
    readonly scope: TopicScope = TopicScope.UNRESTRICTED,
  ) {
    this.lastWriteTick = clock.tick;
  }

  /**
   * Whether this connection may have the event: its client is entitled to it (see `isEntitled`)
   * and, for a topic event, this connection's token allows the topic.
   */
  isEntitledTo(event: HubEvent, subscriptions: SubscriptionLookup): boolean {
    return (
      isEntitled(event, this.clientId, subscriptions) &&
      (event.target.kind !== 'topic' || this.scope.allows(event.target.topic))
    );
  }

  /** Called on every tick of the heartbeat clock: sends a comment after a full idle period. */
  beatIfIdle(tick: number): void {
    if (tick - this.lastWriteTick >= HeartbeatClock.TICKS_PER_PERIOD) {
      this.write(HEARTBEAT_MESSAGE);
    }
  }

  get closeReason(): CloseReason {
    return this.reason ?? 'client_left';
  }

  /** Whether catching up is over and the connection gets live events directly. */
  get isLive(): boolean {
    return !this.catchingUp;
  }

  get isOpen(): boolean {
    return this.reason === undefined && !this.sink.closed;
  }

  /** Ends the stream at `expiresAt` (epoch ms), when the client's token runs out. */
  endAt(expiresAt: number): void {
    const delay = Math.max(0, expiresAt - Date.now());
    // setTimeout waits at most 2^31-1 ms (about 24.8 days; longer delays fire at once): a token
    // valid for longer gets a timer that runs out before it, then sets the next one.
    this.expiry =
      delay > MAX_TIMER_DELAY_MS
        ? setTimeout(() => this.endAt(expiresAt), MAX_TIMER_DELAY_MS)
        : setTimeout(() => this.close('token_expired'), delay);
    this.expiry.unref();
  }

  /** Sends a frame that is not an event of history (the `connected` greeting). */
  greet(message: StreamMessage): void {
    this.write(message);
  }

  /** Sets the point the client is current at: live events up to it are not sent again. */
  resumeFrom(eventId: EventId): void {
    this.cursor = eventId;
  }

  /** Sends a replayed event; replay happens while catching up, in id order. */
  replay(event: HubEvent): void {
    this.cursor = event.id;
    this.write(toReplayMessage(event));
  }

  /**
   * Undefined when the socket takes frames now; else a promise that settles once it has taken
   * everything queued (or the connection has closed). A replay awaits it before each event.
   */
  whenWritable(): Promise<void> | undefined {
    if (!this.isOpen || (!this.queue?.length && !this.sink.isBackedUp())) {
      return undefined;
    }
    this.cancelDrainWait ??= this.sink.onceDrained(() => this.flush());
    return new Promise<void>((resolve) => {
      const previous = this.writableWaiter;
      this.writableWaiter = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * Offers a live event the fan-out chose for this connection. While catching up, every event is
   * held, as the client's subscriptions may not be known yet. Returns whether it was taken.
   */
  offer(event: HubEvent): boolean {
    if (!this.isOpen) {
      return false;
    }
    if (this.catchingUp) {
      (this.held ??= []).push(event);
      this.heldBytes += frameWeight(toStreamMessage(event));
      if (this.held.length > this.settings.maxQueuedEvents || this.heldBytes > this.settings.maxQueuedBytes) {
        this.close('too_slow');
      }
      return true;
    }
    // Right after catching up, a live event may be one the replay already sent. Once one live
    // event is past the resume point, the transport's id order guarantees the rest are too.
    if (this.deduplicating) {
      if (compareEventIds(event.id, this.cursor) <= 0) {
        return false;
      }
      this.deduplicating = false;
    }
    this.cursor = event.id;
    this.write(toStreamMessage(event));
    return true;
  }

  /** Ends catching up: held events the client is entitled to and has not seen go out in order. */
  goLive(subscriptions: SubscriptionLookup): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.heldBytes = 0;
    this.catchingUp = false;
    for (const event of held) {
      if (this.isEntitledTo(event, subscriptions)) {
        this.offer(event);
      }
    }
  }

  close(reason: CloseReason): void {
    if (!this.isOpen) {
      return;
    }
    this.reason = reason;
    if (reason === 'too_slow') {
      // Its buffers are full of frames the client is not reading: free them now.
      this.sink.abort();
    }
    // A clean end, so an EventSource reconnects (after an abort it is a no-op).
    this.sink.end();
    this.wakeWriter();
  }

  /** Releases timers; the stream itself is already finished. */
  dispose(): void {
    clearTimeout(this.expiry);
    this.cancelDrainWait?.();
    this.queue = undefined;
    this.held = undefined;
    this.wakeWriter();
  }

  private write(message: StreamMessage): void {
    if (!this.isOpen) {
      return;
    }
    if (this.queue?.length || this.sink.isBackedUp()) {
      this.enqueue(message);
      return;
    }
    this.sink.send(message);
    // Anything written counts as a sign of life, so the heartbeat waits a full period again.
    this.lastWriteTick = this.clock.tick;
  }

  private enqueue(message: StreamMessage): void {
    if (message === HEARTBEAT_MESSAGE) {
      return; // a backed-up socket is not idle; a heartbeat would only add to the backlog
    }
    const queue = (this.queue ??= []);
    const weight = frameWeight(message);
    if (queue.length >= this.settings.maxQueuedEvents || this.queuedBytes + weight > this.settings.maxQueuedBytes) {
      this.close('too_slow');
      return;
    }
    queue.push(message);
    this.queuedBytes += weight;
    this.cancelDrainWait ??= this.sink.onceDrained(() => this.flush());
  }

  private flush(): void {
    this.cancelDrainWait = undefined;
    const queue = this.queue ?? [];
    let sent = 0;
    while (sent < queue.length && this.isOpen && !this.sink.isBackedUp()) {
      const message = queue[sent++];
      this.queuedBytes -= frameWeight(message);
      this.sink.send(message);
    }
    queue.splice(0, sent);
    if (!this.isOpen) {
      return;
    }
    if (queue.length > 0 || (this.writableWaiter && this.sink.isBackedUp())) {
      this.cancelDrainWait = this.sink.onceDrained(() => this.flush());
      return;
    }
    this.wakeWriter();
  }

  private wakeWriter(): void {
    const waiter = this.writableWaiter;
    this.writableWaiter = undefined;
    waiter?.();
  }
}

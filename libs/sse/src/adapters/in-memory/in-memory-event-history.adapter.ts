import {
  BEGINNING,
  compareEventIds,
  nextEventId,
  type EventDraft,
  type EventHistory,
  type EventId,
  type HistoryPage,
  type HubEvent,
  type IdempotencyKey,
  type OnceAppended,
} from '../../domain/index.js';

/**
 * History in a ring buffer of the newest `capacity` events, for a single instance. Ids come from
 * the clock and a sequence, the shape Redis gives, so ids stay comparable if a deployment moves
 * to Redis.
 *
 * It lives and dies with the process, so it knows where it began: at a mark made from the clock
 * when it was created, which is its head until the first event. Whatever came before the mark
 * (an id from before a restart) it cannot vouch for.
 */
export class InMemoryEventHistoryAdapter implements EventHistory {
  private readonly ring: (HubEvent | undefined)[];
  /** Index in `ring` of the oldest retained event. */
  private start = 0;
  private size = 0;
  /** Where this history began: the head it handed out before its first event. */
  private readonly beginning: EventId;
  private lastId: EventId;
  /** The newest id that has been dropped from the ring, else the beginning: replays from before it are incomplete. */
  private droppedThrough: EventId;
  /** Idempotency keys of recent appends -> the id and when the key is forgotten, oldest first. */
  private readonly keys = new Map<IdempotencyKey, { readonly id: EventId; readonly until: number }>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('sse-hub: history capacity must be a positive integer');
    }
    this.ring = new Array<HubEvent | undefined>(capacity);
    this.beginning = nextEventId(BEGINNING, now());
    this.lastId = this.beginning;
    this.droppedThrough = this.beginning;
  }

  async append(draft: EventDraft): Promise<HubEvent> {
    return this.appendNow(draft);
  }

  /** Appends unless the key was used within the window (one process: a map check is atomic). */
  async appendOnce(draft: EventDraft, key: IdempotencyKey, windowMs: number): Promise<OnceAppended> {
    const now = this.now();
    this.forgetKeysBefore(now);
    const first = this.keys.get(key);
    if (first !== undefined) {
      return { repeatOf: first.id };
    }
    const appended = this.appendNow(draft);
    this.keys.set(key, { id: appended.id, until: now + windowMs });
    return { appended };
  }

  /**
   * Keys are kept in the order they were set, and the window is the same for all of them, so
   * the expired ones are at the front: memory follows the publish rate times the window.
   */
  private forgetKeysBefore(now: number): void {
    for (const [key, { until }] of this.keys) {
      if (until > now) return;
      this.keys.delete(key);
    }
  }

  /** The synchronous core of `append`, so ids are handed out in call order. */
  appendNow(draft: EventDraft): HubEvent {
    const event: HubEvent = { ...draft, id: nextEventId(this.lastId, this.now()) };
    this.keep(event);
    // The caller's copy is the one delivered: encodings made for delivery are keyed to it and
    // die with it, instead of staying beside the kept event for as long as it is in history.
    return { ...event };
  }

  private keep(event: HubEvent): void {
    this.lastId = event.id;
    if (this.size === this.capacity) {
      this.droppedThrough = this.at(0).id;
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.size) % this.capacity] = event;
      this.size++;
    }
  }

  /**
   * Complete when `after` is at or past both the beginning and the newest dropped id, and not
   * past the head (an id this history never reached is not one it can place).
   */
  async readAfter(after: EventId, limit: number): Promise<HistoryPage> {
    const complete = compareEventIds(after, this.droppedThrough) >= 0 && compareEventIds(after, this.lastId) <= 0;
    const first = this.firstIndexAfter(after);
    const count = Math.min(limit, this.size - first);
    const events = new Array<HubEvent>(Math.max(count, 0));
    for (let i = 0; i < count; i++) {
      events[i] = this.at(first + i);
    }
    return { events, complete };
  }

  async headId(): Promise<EventId> {
    return this.lastId;
  }

  private at(offset: number): HubEvent {
    return this.ring[(this.start + offset) % this.capacity] as HubEvent;
  }

  /** Binary search: ids in the ring increase, so the first one after `after` splits it in two. */
  private firstIndexAfter(after: EventId): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEventIds(this.at(mid).id, after) > 0) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
}

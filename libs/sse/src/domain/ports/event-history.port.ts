import type { EventId } from '../event-id.js';
import type { EventDraft, HubEvent } from '../hub-event.js';
import type { IdempotencyKey } from '../idempotency-key.js';

/** What a replay could read after a given id. */
export interface HistoryPage {
  /** Every retained event after the id, oldest first. */
  readonly events: HubEvent[];
  /**
   * True only when the events after the id are all still here. False when history had dropped
   * some, when the id is from before this history began (a restart that lost it; only the head
   * handed out before the first event counts as within it), or when the id is past the newest
   * event (one this history never reached).
   */
  readonly complete: boolean;
}

/**
 * What `appendOnce` did: appended the event, or recognised the key of an event accepted within
 * the window and appended nothing.
 */
export type OnceAppended = { readonly appended: HubEvent } | { readonly repeatOf: EventId };

/**
 * The hub's ordered log of accepted events, shared by every instance that shares a broker. It
 * assigns ids (strictly increasing, unique hub-wide) and keeps the newest events for replay.
 */
export interface EventHistory {
  /** Accepts an event: gives it the next id in the hub-wide order and keeps it for replay. */
  append(draft: EventDraft): Promise<HubEvent>;
  /**
   * Like `append`, unless an event appended with the same key is at most `windowMs` old: then
   * nothing is appended and that event's id is answered. Atomic hub-wide: of two appends with
   * one key, on any instances and at the same moment, exactly one appends. Optional: without it
   * the hub refuses publishes that carry a key rather than risk delivering one twice.
   */
  appendOnce?(draft: EventDraft, key: IdempotencyKey, windowMs: number): Promise<OnceAppended>;
  /** The retained events after `after`, at most `limit` of them, oldest first. */
  readAfter(after: EventId, limit: number): Promise<HistoryPage>;
  /**
   * The id of the newest accepted event; before the first, an id that marks where this history
   * began (a replay after it is complete, one from `BEGINNING` may not be).
   */
  headId(): Promise<EventId>;
}

export const EventHistory = Symbol('EventHistory');

import type { EventId } from '../event-id.js';
import type { EventDraft, HubEvent } from '../hub-event.js';

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
 * The hub's ordered log of accepted events, shared by every instance that shares a broker. It
 * assigns ids (strictly increasing, unique hub-wide) and keeps the newest events for replay.
 */
export interface EventHistory {
  /** Accepts an event: gives it the next id in the hub-wide order and keeps it for replay. */
  append(draft: EventDraft): Promise<HubEvent>;
  /** The retained events after `after`, at most `limit` of them, oldest first. */
  readAfter(after: EventId, limit: number): Promise<HistoryPage>;
  /**
   * The id of the newest accepted event; before the first, an id that marks where this history
   * began (a replay after it is complete, one from `BEGINNING` may not be).
   */
  headId(): Promise<EventId>;
}

export const EventHistory = Symbol('EventHistory');

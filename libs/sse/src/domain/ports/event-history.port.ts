import type { EventId } from '../event-id.js';
import type { EventDraft, HubEvent } from '../hub-event.js';

/** What a replay could read after a given id. */
export interface HistoryPage {
  /** Every retained event after the id, oldest first. */
  readonly events: HubEvent[];
  /** False when history had already dropped events after the id: the reader missed some. */
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
  /** The id of the newest accepted event, or `BEGINNING` when there is none. */
  headId(): Promise<EventId>;
}

export const EventHistory = Symbol('EventHistory');

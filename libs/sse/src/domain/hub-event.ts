import type { EventId } from './event-id.js';
import type { EventTarget } from './event-target.js';
import type { EventType } from './event-type.js';

/** An event before the hub accepted it: it has no place in the order yet. */
export interface EventDraft {
  readonly type: EventType;
  /** Any JSON value. */
  readonly data: unknown;
  readonly target: EventTarget;
}

/** An accepted event: its id fixes its place in the hub-wide order. */
export interface HubEvent extends EventDraft {
  readonly id: EventId;
}

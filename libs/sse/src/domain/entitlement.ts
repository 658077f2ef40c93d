import type { ClientId } from './client-id.js';
import { compareEventIds, type EventId } from './event-id.js';
import type { HubEvent } from './hub-event.js';
import type { Topic } from './topic.js';

/** Where a client's subscriptions can be looked up: topic -> the `since` id of its subscription. */
export type SubscriptionLookup = ReadonlyMap<Topic, EventId>;

/**
 * Whether a client may receive an event: its own events, broadcasts, and events of a topic it was
 * subscribed to when the event was published. The same rule serves live delivery and replay, so a
 * resumed stream never shows what the live one would not have.
 */
export function isEntitled(
  event: HubEvent,
  clientId: ClientId,
  subscriptions: SubscriptionLookup,
): boolean {
  switch (event.target.kind) {
    case 'client':
      return event.target.clientId === clientId;
    case 'broadcast':
      return true;
    case 'topic': {
      const since = subscriptions.get(event.target.topic);
      return since !== undefined && compareEventIds(event.id, since) > 0;
    }
  }
}

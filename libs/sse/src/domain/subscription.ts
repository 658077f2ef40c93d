import type { EventId } from './event-id.js';
import type { Topic } from './topic.js';

/**
 * A client's subscription to a topic. `since` is the newest event id at the moment it subscribed:
 * topic events up to it were published before the client was entitled to them, so a replay
 * never hands them out.
 */
export interface Subscription {
  readonly topic: Topic;
  readonly since: EventId;
}

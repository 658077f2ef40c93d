import type { ClientId } from '../client-id.js';
import type { Subscription } from '../subscription.js';
import type { Topic } from '../topic.js';
import type { Unsubscribe } from './unsubscribe.js';

/**
 * What happened to a client's subscriptions, on any instance. Every instance hears of every
 * change; `changeId` (and `expiryId`) name one change the same on each (with Redis, the id of the
 * change in the shared stream), so something done once per change can be done once cluster-wide.
 */
export type SubscriptionChange =
  | {
      readonly kind: 'added';
      readonly clientId: ClientId;
      readonly subscriptions: Subscription[];
      readonly changeId?: string;
    }
  | {
      readonly kind: 'removed';
      readonly clientId: ClientId;
      readonly topics: Topic[];
      readonly changeId?: string;
    }
  /**
   * The client's last connection had been gone for the grace period: all its topics (`topics`,
   * when the registry says) are gone.
   */
  | {
      readonly kind: 'expired';
      readonly clientId: ClientId;
      readonly expiryId?: string;
      readonly topics?: Topic[];
    };

export type SubscriptionChangeHandler = (change: SubscriptionChange) => void;

/**
 * Topics per client id, shared by all the client's connections on every instance. Subscriptions
 * outlive a dropped connection for a grace period, so an EventSource reconnect keeps them, and
 * are cleared once the client's last connection has been gone that long (or, for a client that
 * subscribed and never connected, once the grace period has passed since).
 */
export interface SubscriptionRegistry {
  /** Adds subscriptions; a topic already held keeps its original `since`. Returns all of them. */
  add(clientId: ClientId, subscriptions: readonly Subscription[]): Promise<Subscription[]>;
  /** Removes topics. Returns what is left. */
  remove(clientId: ClientId, topics: readonly Topic[]): Promise<Subscription[]>;
  list(clientId: ClientId): Promise<Subscription[]>;
  /** A connection of the client opened somewhere: its subscriptions must not expire meanwhile. */
  connectionOpened(clientId: ClientId): Promise<void>;
  /** A connection of the client closed: after its last one, the grace period starts. */
  connectionClosed(clientId: ClientId): Promise<void>;
  /** Reports changes made through any instance, so each can keep its local index current. */
  watch(handler: SubscriptionChangeHandler): Unsubscribe;
}

export const SubscriptionRegistry = Symbol('SubscriptionRegistry');

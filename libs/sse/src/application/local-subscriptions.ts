import type {
  ClientId,
  EventId,
  Subscription,
  SubscriptionChange,
  SubscriptionLookup,
  Topic,
} from '../domain/index.js';

const NO_SUBSCRIPTIONS: SubscriptionLookup = new Map();

/**
 * This instance's copy of the subscriptions of the clients connected to it, indexed both ways:
 * client -> topics for replay decisions, topic -> clients so a topic event costs O(subscribers)
 * rather than O(connections). Kept current by the registry's change feed.
 */
export class LocalSubscriptions {
  /** Tracked clients; a client with no topic has `null` rather than an empty map of its own. */
  private readonly byClient = new Map<ClientId, Map<Topic, EventId> | null>();
  private readonly byTopic = new Map<Topic, Set<ClientId>>();
  /**
   * Clients whose subscriptions are being read from the registry, with what changes removed
   * meanwhile: the read may be older than a change that arrived first, and must not bring a
   * removed topic back ('all' after an expiry).
   */
  private readonly loading = new Map<ClientId, Set<Topic> | 'all'>();

  isTracked(clientId: ClientId): boolean {
    return this.byClient.has(clientId);
  }

  /** Starts tracking a client whose subscriptions are about to be read (see `load`). */
  track(clientId: ClientId): void {
    if (!this.byClient.has(clientId)) {
      this.byClient.set(clientId, null);
      this.loading.set(clientId, new Set());
    }
  }

  /** Takes in what the registry held when the client was tracked, less what changes removed since. */
  load(clientId: ClientId, subscriptions: readonly Subscription[]): void {
    const removed = this.loading.get(clientId);
    this.loading.delete(clientId);
    if (removed === 'all') {
      return;
    }
    this.merge(clientId, removed ? subscriptions.filter((s) => !removed.has(s.topic)) : subscriptions);
  }

  untrack(clientId: ClientId): void {
    this.loading.delete(clientId);
    const topics = this.byClient.get(clientId);
    if (topics) {
      for (const topic of topics.keys()) {
        this.unindex(topic, clientId);
      }
      this.byClient.delete(clientId);
    }
  }

  of(clientId: ClientId): SubscriptionLookup {
    return this.byClient.get(clientId) ?? NO_SUBSCRIPTIONS;
  }

  subscribersOf(topic: Topic): ReadonlySet<ClientId> | undefined {
    return this.byTopic.get(topic);
  }

  /** Adds subscriptions of a tracked client; topics it already has keep their since. */
  private merge(clientId: ClientId, subscriptions: readonly Subscription[]): void {
    if (!this.byClient.has(clientId) || subscriptions.length === 0) {
      return;
    }
    let topics = this.byClient.get(clientId);
    if (!topics) {
      topics = new Map();
      this.byClient.set(clientId, topics);
    }
    for (const { topic, since } of subscriptions) {
      if (!topics.has(topic)) {
        topics.set(topic, since);
        this.index(topic, clientId);
      }
    }
  }

  /** Applies a change from any instance; clients not connected here are not tracked. */
  apply(change: SubscriptionChange): void {
    const removedWhileLoading = this.loading.get(change.clientId);
    if (change.kind === 'added') {
      if (removedWhileLoading instanceof Set) {
        change.subscriptions.forEach((s) => removedWhileLoading.delete(s.topic));
      }
      this.merge(change.clientId, change.subscriptions);
      return;
    }
    if (removedWhileLoading !== undefined) {
      this.loading.set(
        change.clientId,
        change.kind === 'expired' || removedWhileLoading === 'all'
          ? 'all'
          : new Set([...removedWhileLoading, ...change.topics]),
      );
    }
    const topics = this.byClient.get(change.clientId);
    if (!topics) {
      return;
    }
    switch (change.kind) {
      case 'removed':
        for (const topic of change.topics) {
          if (topics.delete(topic)) {
            this.unindex(topic, change.clientId);
          }
        }
        return;
      case 'expired':
        for (const topic of topics.keys()) {
          this.unindex(topic, change.clientId);
        }
        topics.clear();
        return;
    }
  }

  private index(topic: Topic, clientId: ClientId): void {
    let clients = this.byTopic.get(topic);
    if (!clients) {
      clients = new Set();
      this.byTopic.set(topic, clients);
    }
    clients.add(clientId);
  }

  private unindex(topic: Topic, clientId: ClientId): void {
    const clients = this.byTopic.get(topic);
    if (clients?.delete(clientId) && clients.size === 0) {
      this.byTopic.delete(topic);
    }
  }
}

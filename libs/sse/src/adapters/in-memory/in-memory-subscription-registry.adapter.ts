import { randomUUID } from 'node:crypto';
import type {
  ClientId,
  EventId,
  Subscription,
  SubscriptionChange,
  SubscriptionChangeHandler,
  SubscriptionRegistry,
  Topic,
  Unsubscribe,
} from '../../domain/index.js';

interface ClientEntry {
  /** Allocated with the first topic: most connected clients hold none. */
  topics?: Map<Topic, EventId>;
  connections: number;
  expiry?: NodeJS.Timeout;
}

/** Subscriptions of one process, with a grace timer per client that has no open connection. */
export class InMemorySubscriptionRegistryAdapter implements SubscriptionRegistry {
  private readonly clients = new Map<ClientId, ClientEntry>();
  private readonly handlers = new Set<SubscriptionChangeHandler>();

  constructor(private readonly gracePeriodMs: number) {}

  async add(clientId: ClientId, subscriptions: readonly Subscription[]): Promise<Subscription[]> {
    const entry = this.entry(clientId);
    const added: Subscription[] = [];
    for (const subscription of subscriptions) {
      const topics = (entry.topics ??= new Map());
      if (!topics.has(subscription.topic)) {
        topics.set(subscription.topic, subscription.since);
        added.push(subscription);
      }
    }
    this.scheduleExpiry(clientId, entry);
    if (added.length > 0) {
      this.emit({ kind: 'added', clientId, subscriptions: added, changeId: randomUUID() });
    }
    return toSubscriptions(entry);
  }

  async remove(clientId: ClientId, topics: readonly Topic[]): Promise<Subscription[]> {
    const entry = this.clients.get(clientId);
    if (!entry) {
      return [];
    }
    const removed = topics.filter((topic) => entry.topics?.delete(topic));
    this.forgetIfUnused(clientId, entry);
    if (removed.length > 0) {
      this.emit({ kind: 'removed', clientId, topics: removed, changeId: randomUUID() });
    }
    return toSubscriptions(entry);
  }

  async list(clientId: ClientId): Promise<Subscription[]> {
    const entry = this.clients.get(clientId);
    return entry ? toSubscriptions(entry) : [];
  }

  async connectionOpened(clientId: ClientId): Promise<void> {
    const entry = this.entry(clientId);
    entry.connections++;
    this.scheduleExpiry(clientId, entry);
  }

  async connectionClosed(clientId: ClientId): Promise<void> {
    const entry = this.clients.get(clientId);
    if (!entry) {
      return;
    }
    entry.connections = Math.max(0, entry.connections - 1);
    this.scheduleExpiry(clientId, entry);
    this.forgetIfUnused(clientId, entry);
  }

  watch(handler: SubscriptionChangeHandler): Unsubscribe {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Cancels the grace timers. */
  close(): void {
    for (const entry of this.clients.values()) {
      clearTimeout(entry.expiry);
    }
    this.clients.clear();
    this.handlers.clear();
  }

  private entry(clientId: ClientId): ClientEntry {
    let entry = this.clients.get(clientId);
    if (!entry) {
      entry = { connections: 0 };
      this.clients.set(clientId, entry);
    }
    return entry;
  }

  /** Runs the grace timer exactly while the client holds topics and has no connection. */
  private scheduleExpiry(clientId: ClientId, entry: ClientEntry): void {
    clearTimeout(entry.expiry);
    entry.expiry = undefined;
    if (entry.connections > 0 || !entry.topics?.size) {
      return;
    }
    entry.expiry = setTimeout(() => {
      this.clients.delete(clientId);
      const topics = [...(entry.topics?.keys() ?? [])];
      this.emit({ kind: 'expired', clientId, expiryId: randomUUID(), topics });
    }, this.gracePeriodMs);
    // A pending expiry is bookkeeping; it must not keep the process alive on its own.
    entry.expiry.unref();
  }

  private forgetIfUnused(clientId: ClientId, entry: ClientEntry): void {
    if (entry.connections === 0 && !entry.topics?.size) {
      clearTimeout(entry.expiry);
      this.clients.delete(clientId);
    }
  }

  private emit(change: SubscriptionChange): void {
    for (const handler of this.handlers) {
      handler(change);
    }
  }
}

function toSubscriptions(entry: ClientEntry): Subscription[] {
  return [...(entry.topics ?? [])].map(([topic, since]) => ({ topic, since }));
}

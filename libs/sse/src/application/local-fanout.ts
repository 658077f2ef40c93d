import {
  compareEventIds,
  type ClientId,
  type HubEvent,
  type Topic,
} from '../domain/index.js';
import type { Connection } from './connection.js';
import type { LocalSubscriptions } from './local-subscriptions.js';

/** How many recent delivery counts are kept for publishers to read back. */
const DELIVERY_LEDGER_SIZE = 4096;

/**
 * This instance's connections (Mercure's SubscriberList), whatever the transport: the transport
 * hands every event to `deliver`, which finds the connections it is for. A targeted event costs
 * O(connections of that client), a topic event O(connections of its subscribers).
 */
export class LocalFanout {
  private readonly live = new Set<Connection>();
  /** A client's live connections: the connection itself while it has one (most do), else a set. */
  private readonly liveByClient = new Map<ClientId, Connection | Set<Connection>>();
  /** Connections still replaying: they hold every event until they know what they may keep. */
  private readonly catchingUp = new Set<Connection>();
  private readonly deliveries = new Map<string, number>();
  /** The ledger's ids in the order recorded, as a ring: the oldest is evicted without an iterator. */
  private readonly ledgerOrder: string[] = new Array<string>(DELIVERY_LEDGER_SIZE);
  private ledgerNext = 0;
  private readonly deliveryWaiters = new Map<string, ((count: number) => void)[]>();

  constructor(private readonly subscriptions: LocalSubscriptions) {}

  get size(): number {
    return this.live.size + this.catchingUp.size;
  }

  connections(): Connection[] {
    return [...this.catchingUp, ...this.live];
  }

  forEach(visit: (connection: Connection) => void): void {
    this.catchingUp.forEach(visit);
    this.live.forEach(visit);
  }

  /** Visits the client's connections here, live or catching up. */
  forEachOfClient(clientId: ClientId, visit: (connection: Connection) => void): void {
    const held = this.liveByClient.get(clientId);
    if (held instanceof Set) held.forEach(visit);
    else if (held !== undefined) visit(held);
    for (const connection of this.catchingUp) {
      if (connection.clientId === clientId) visit(connection);
    }
  }

  addCatchingUp(connection: Connection): void {
    this.catchingUp.add(connection);
  }

  promoteToLive(connection: Connection): void {
    if (!this.catchingUp.delete(connection)) {
      return;
    }
    this.live.add(connection);
    const held = this.liveByClient.get(connection.clientId);
    if (held === undefined) {
      this.liveByClient.set(connection.clientId, connection);
    } else if (held instanceof Set) {
      held.add(connection);
    } else {
      this.liveByClient.set(connection.clientId, new Set([held, connection]));
    }
  }

  remove(connection: Connection): void {
    this.catchingUp.delete(connection);
    if (this.live.delete(connection)) {
      const held = this.liveByClient.get(connection.clientId);
      if (held === connection) {
        this.liveByClient.delete(connection.clientId);
      } else if (held instanceof Set && held.delete(connection) && held.size === 1) {
        this.liveByClient.set(connection.clientId, held.values().next().value as Connection);
      }
    }
  }

  /** Delivers one event to the connections it is for; returns how many took it. */
  deliver(event: HubEvent): number {
    for (const connection of this.catchingUp) {
      connection.offer(event);
    }
    let delivered = 0;
    const target = event.target;
    if (target.kind === 'broadcast') {
      for (const connection of this.live) {
        if (connection.offer(event)) delivered++;
      }
    } else if (target.kind === 'client') {
      delivered = this.deliverToClient(target.clientId, event);
    } else {
      const subscribers = this.subscriptions.subscribersOf(target.topic);
      for (const clientId of subscribers ?? []) {
        const since = this.subscriptions.of(clientId).get(target.topic);
        if (since !== undefined && compareEventIds(event.id, since) > 0) {
          delivered += this.deliverToClient(clientId, event, target.topic);
        }
      }
    }
    this.record(event.id, delivered);
    return delivered;
  }

  /**
   * How many local connections took the event, once this instance has delivered it. With a
   * broker the event may come back from it a little after the publish call returns.
   */
  deliveredCount(eventId: string, timeoutMs: number): Promise<number> {
    const count = this.deliveries.get(eventId);
    if (count !== undefined) {
      return Promise.resolve(count);
    }
    return new Promise((resolve) => {
      const waiters = this.deliveryWaiters.get(eventId) ?? [];
      const finish = (n: number): void => {
        clearTimeout(timer);
        resolve(n);
      };
      const timer = setTimeout(() => {
        // Gone from the waiting list too, so an event that never comes back leaks nothing.
        const left = this.deliveryWaiters.get(eventId)?.filter((waiter) => waiter !== finish);
        if (left?.length) this.deliveryWaiters.set(eventId, left);
        else this.deliveryWaiters.delete(eventId);
        resolve(0);
      }, timeoutMs);
      timer.unref();
      waiters.push(finish);
      this.deliveryWaiters.set(eventId, waiters);
    });
  }

  /**
   * Offers the event to the client's live connections; a topic event only to those whose own
   * token allows the topic (a decision each connection takes once per topic, see `TopicScope`).
   */
  private deliverToClient(clientId: ClientId, event: HubEvent, topic?: Topic): number {
    const held = this.liveByClient.get(clientId);
    if (held === undefined) {
      return 0;
    }
    if (!(held instanceof Set)) {
      return (topic === undefined || held.scope.allows(topic)) && held.offer(event) ? 1 : 0;
    }
    let delivered = 0;
    for (const connection of held) {
      if ((topic === undefined || connection.scope.allows(topic)) && connection.offer(event)) delivered++;
    }
    return delivered;
  }

  private record(eventId: string, delivered: number): void {
    const waiters = this.deliveryWaiters.get(eventId);
    if (waiters) {
      this.deliveryWaiters.delete(eventId);
      waiters.forEach((resolve) => resolve(delivered));
      return;
    }
    const evicted = this.ledgerOrder[this.ledgerNext];
    if (evicted !== undefined) {
      this.deliveries.delete(evicted);
    }
    this.ledgerOrder[this.ledgerNext] = eventId;
    this.ledgerNext = (this.ledgerNext + 1) % DELIVERY_LEDGER_SIZE;
    this.deliveries.set(eventId, delivered);
  }
}

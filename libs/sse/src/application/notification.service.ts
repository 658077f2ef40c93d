import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  EventHistory,
  EventTransport,
  encodeEventData,
  parseClientId,
  parseEventType,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type ClientPrincipal,
  type EventTarget,
} from '../domain/index.js';
import { ConnectionService, type OpenStreamOptions } from './connection.service.js';
import { HubObserver, NO_HUB_OBSERVER } from './hub-observer.js';
import { HubTracer, NO_HUB_TRACER } from './hub-tracer.js';
import { toStreamMessage, type StreamMessage } from './stream-message.js';
import { SubscriptionService } from './subscription.service.js';

/**
 * What a publish returns: the event's id in the hub-wide order, and how many connections on this
 * instance took it.
 * @publicApi
 */
export interface PublishReceipt {
  readonly id: string;
  readonly delivered: number;
}

/**
 * The hub's API for host apps: push to one client, a topic or everyone; manage a client's topics;
 * open a client's stream. Inject it anywhere in an app that imports `SseModule`.
 * @publicApi
 */
@Injectable()
export class NotificationService {
  private readonly observer: HubObserver;
  private readonly tracer: HubTracer;

  constructor(
    @Inject(EventHistory) private readonly history: EventHistory,
    @Inject(EventTransport) private readonly transport: EventTransport,
    private readonly connections: ConnectionService,
    private readonly subscriptions: SubscriptionService,
    @Optional() @Inject(HubObserver) observer?: HubObserver,
    @Optional() @Inject(HubTracer) tracer?: HubTracer,
  ) {
    this.observer = observer ?? NO_HUB_OBSERVER;
    this.tracer = tracer ?? NO_HUB_TRACER;
  }

  /** How many streams are open on this instance (other instances have their own). */
  get openConnections(): number {
    return this.connections.openConnections;
  }

  /**
   * Sends an event to every connection of one client, on every instance.
   * @throws InvalidClientIdError, InvalidEventTypeError, InvalidEventDataError, BrokerUnavailableError
   */
  sendToClient(clientId: string, event: string, data: unknown): Promise<PublishReceipt> {
    return this.publish(toClient(parseClientId(clientId)), event, data);
  }

  /**
   * Sends an event to every client subscribed to the topic.
   * @throws InvalidTopicError, InvalidEventTypeError, BrokerUnavailableError
   */
  sendToTopic(topic: string, event: string, data: unknown): Promise<PublishReceipt> {
    return this.publish(toTopic(parseTopic(topic)), event, data);
  }

  /**
   * Sends an event to every connection.
   * @throws InvalidEventTypeError, BrokerUnavailableError
   */
  broadcast(event: string, data: unknown): Promise<PublishReceipt> {
    return this.publish(toEveryone(), event, data);
  }

  /**
   * Subscribes a client to topics. This is the host app's trusted path: no token claim applies.
   * @returns all the client's topics
   * @throws InvalidTopicError, TooManyTopicsError
   */
  subscribe(clientId: string, topics: readonly string[]): Promise<string[]> {
    return this.subscriptions.subscribe({ clientId: parseClientId(clientId) }, topics);
  }

  /** @returns the client's remaining topics. @throws InvalidTopicError */
  unsubscribe(clientId: string, topics: readonly string[]): Promise<string[]> {
    return this.subscriptions.unsubscribe({ clientId: parseClientId(clientId) }, topics);
  }

  topicsOf(clientId: string): Promise<string[]> {
    return this.subscriptions.list({ clientId: parseClientId(clientId) });
  }

  /** A client's stream, for a host app that serves its own `@Sse()` route. */
  openStream(principal: ClientPrincipal, options: OpenStreamOptions): Observable<StreamMessage> {
    return this.connections.open(principal, options);
  }

  private publish(target: EventTarget, event: string, data: unknown): Promise<PublishReceipt> {
    const type = parseEventType(event);
    const value = data === undefined ? null : data;
    // Encoded here, once: data that cannot become JSON fails the publish, not every stream, and
    // local connections reuse this encoding.
    const encoded = encodeEventData(value);
    return this.tracer.publish({ target: target.kind, type }, async (traceContext) => {
      const started = performance.now();
      const draft = traceContext ? { type, data: value, target, traceContext } : { type, data: value, target };
      const accepted = await this.history.append(draft);
      toStreamMessage(accepted, encoded);
      await this.transport.publish(accepted);
      // Resolves once this instance's fan-out has written the event to its local streams.
      const delivered = await this.connections.deliveredCount(accepted);
      this.observer.eventPublished(target.kind, (performance.now() - started) / 1000);
      return { id: accepted.id, delivered };
    });
  }
}

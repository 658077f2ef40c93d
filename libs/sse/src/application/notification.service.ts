import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  EventHistory,
  EventTransport,
  ClientCommands,
  IdempotencyUnsupportedError,
  PUBLISHER_ROLE,
  type ClientId,
  encodeEventData,
  parseClientId,
  parseIdempotencyKey,
  parseEventType,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type ClientPrincipal,
  type EventDraft,
  type EventTarget,
  type HubEvent,
  type IdempotencyKey,
  type OnceAppended,
} from '../domain/index.js';
import {
  idempotencyKeyOf,
  targetOf,
  type BatchOutcome,
  type BatchPublication,
} from './batch-publication.js';
import { ConnectionService, type OpenStreamOptions } from './connection.service.js';
import { HubObserver, NO_HUB_OBSERVER } from './hub-observer.js';
import { HubTracer, NO_HUB_TRACER } from './hub-tracer.js';
import { toStreamMessage, type StreamMessage } from './stream-message.js';
import { SubscriptionService } from './subscription.service.js';
import {
  TopicHistoryService,
  type TopicHistoryCursor,
  type TopicHistoryPage,
} from './topic-history.service.js';
import { HubSettings } from './hub-settings.js';

/** Who asks when the host app's own code asks (it may read every topic). */
const TRUSTED_CALLER = 'host-app' as ClientId;

/**
 * What a publish returns: the event's id in the hub-wide order, and how many connections on this
 * instance took it.
 * @publicApi
 */
export interface PublishReceipt {
  readonly id: string;
  readonly delivered: number;
  /** True when the publish repeated an idempotency key: nothing was delivered again. */
  readonly repeated?: boolean;
}

/**
 * What a disconnect ended.
 * @publicApi
 */
export interface DisconnectReceipt {
  /** Streams of the client ended, on every instance that answered in time. */
  readonly streams: number;
}

/**
 * Whether a client is connected, and with how many streams, across the hub.
 * @publicApi
 */
export interface ClientPresence {
  readonly clientId: string;
  readonly online: boolean;
  readonly streams: number;
}

/**
 * The connected clients subscribed to a topic, a page at a time (by client id), with how many
 * there are in all.
 * @publicApi
 */
export interface TopicPresence {
  readonly topic: string;
  readonly count: number;
  readonly clients: string[];
  /** Pass it back for the next page; absent on the last. */
  readonly cursor?: string;
}

/**
 * Options of a disconnect.
 * @publicApi
 */
export interface DisconnectOptions {
  /** A final event sent to the client's streams before they end. */
  readonly event?: string;
  readonly data?: unknown;
  /**
   * False: the client's new streams are refused (403 `CLIENT.DISCONNECTED`) for
   * `disconnectRefusalMs`, so EventSource's automatic reconnect does not undo the disconnect.
   * @default true
   */
  readonly reconnect?: boolean;
}

/**
 * Options of a publish.
 * @publicApi
 */
export interface PublishOptions {
  /**
   * The publisher's name for this publish (a UUID, say; 1-512 visible ASCII characters). A
   * publish repeated with the same key within `idempotencyWindowMs`, on any instance, is
   * answered with the first one's id and delivers nothing again: a retry after a lost answer
   * is safe. Keys are shared by everything that publishes through the hub: make them unique.
   */
  readonly idempotencyKey?: string;
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
    @Inject(HubSettings) private readonly settings: HubSettings,
    @Inject(ClientCommands) private readonly commands: ClientCommands,
    private readonly connections: ConnectionService,
    private readonly subscriptions: SubscriptionService,
    private readonly topicHistory: TopicHistoryService,
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
   * @throws InvalidClientIdError, InvalidEventTypeError, InvalidEventDataError, BrokerUnavailableError,
   *   InvalidIdempotencyKeyError
   */
  sendToClient(
    clientId: string,
    event: string,
    data: unknown,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    return this.publish(toClient(parseClientId(clientId)), event, data, options);
  }

  /**
   * Sends an event to every client subscribed to the topic.
   * @throws InvalidTopicError, InvalidEventTypeError, BrokerUnavailableError
   */
  sendToTopic(
    topic: string,
    event: string,
    data: unknown,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    return this.publish(toTopic(parseTopic(topic)), event, data, options);
  }

  /**
   * Sends an event to every connection.
   * @throws InvalidEventTypeError, BrokerUnavailableError
   */
  broadcast(event: string, data: unknown, options?: PublishOptions): Promise<PublishReceipt> {
    return this.publish(toEveryone(), event, data, options);
  }

  /**
   * Publishes many events at once, accepted in the order given (their ids increase in that
   * order): each publication to its own target, with its own idempotency key if any. A bad
   * publication is refused on its own and the others go on; the outcome at each position is the
   * receipt or the error (a domain error: `InvalidTargetError`, `InvalidEventTypeError`, ...;
   * `BrokerUnavailableError` when the broker is away).
   *
   * Cheaper than as many single publishes: nothing waits between publications, so their appends
   * travel together to the broker and their fan-outs share this instance's socket writes.
   */
  publishBatch(publications: readonly BatchPublication[]): Promise<BatchOutcome<PublishReceipt>[]> {
    return Promise.all(
      publications.map((publication): Promise<BatchOutcome<PublishReceipt>> => {
        try {
          // Started one after the other in this turn: each reaches the history's append in the
          // same number of steps, so the appends (and the ids) follow the order given.
          return this.publish(targetOf(publication.target), publication.event, publication.data, {
            idempotencyKey: idempotencyKeyOf(publication.idempotencyKey),
          }).catch((error: Error) => ({ error }));
        } catch (error) {
          return Promise.resolve({ error: error as Error });
        }
      }),
    );
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

  /**
   * A topic's events still in history, oldest first, with the stream's ids (the host's trusted
   * path: every topic). `{ after }` pages forward from an id, `{ before }` back from one.
   * @throws InvalidTopicError, InvalidEventIdError, BrokerUnavailableError
   */
  historyOf(topic: string, cursor: TopicHistoryCursor = { limit: 100 }): Promise<TopicHistoryPage> {
    return this.topicHistory.read(
      { clientId: TRUSTED_CALLER, roles: [PUBLISHER_ROLE] },
      topic,
      cursor,
    );
  }

  /**
   * Ends every stream of a client, on every instance (a logout, a revoked session, a ban): the
   * final event first if one is given (each stream gets it, then ends), and with
   * `reconnect: false` its new streams are refused for a while.
   * @throws InvalidClientIdError, InvalidEventTypeError, BrokerUnavailableError
   */
  async disconnect(clientId: string, options: DisconnectOptions = {}): Promise<DisconnectReceipt> {
    const id = parseClientId(clientId);
    const after =
      options.event === undefined
        ? undefined
        : (await this.sendToClient(id, options.event, options.data)).id;
    const refuseUntil =
      options.reconnect === false ? Date.now() + this.settings.disconnectRefusalMs : undefined;
    const ended = await this.commands.ask({ kind: 'disconnect', clientId: id, after, refuseUntil });
    return { streams: ended.reduce((sum, n) => sum + n, 0) };
  }

  /**
   * Whether a client has streams open, and how many, on every instance (those that answered
   * within 2 s over Redis).
   * @throws InvalidClientIdError, BrokerUnavailableError
   */
  async presenceOf(clientId: string): Promise<ClientPresence> {
    const id = parseClientId(clientId);
    const counts = await this.commands.ask({ kind: 'countStreams', clientId: id });
    const streams = counts.reduce((sum, n) => sum + n, 0);
    return { clientId: id, online: streams > 0, streams };
  }

  /**
   * The clients subscribed to a topic that have a stream open somewhere (presence: online
   * subscribers, not those whose subscriptions only wait out the grace period), sorted by id, a
   * page of `limit` after `cursor`.
   * @throws InvalidTopicError, BrokerUnavailableError
   */
  async topicPresence(
    topic: string,
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<TopicPresence> {
    const name = parseTopic(topic);
    const answers = await this.commands.ask({ kind: 'topicMembers', topic: name });
    const all = [...new Set(answers.flat())].sort();
    const from = cursor === undefined ? 0 : all.findIndex((clientId) => clientId > cursor);
    const clients = from < 0 ? [] : all.slice(from, from + limit);
    const more = from >= 0 && from + limit < all.length;
    return {
      topic: name,
      count: all.length,
      clients,
      ...(more ? { cursor: clients[clients.length - 1] } : {}),
    };
  }

  /** A client's stream, for a host app that serves its own `@Sse()` route. */
  openStream(principal: ClientPrincipal, options: OpenStreamOptions): Observable<StreamMessage> {
    return this.connections.open(principal, options);
  }

  private publish(
    target: EventTarget,
    event: string,
    data: unknown,
    options: PublishOptions = {},
  ): Promise<PublishReceipt> {
    const type = parseEventType(event);
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : parseIdempotencyKey(options.idempotencyKey);
    const value = data === undefined ? null : data;
    // Encoded here, once: data that cannot become JSON fails the publish, not every stream, and
    // local connections reuse this encoding.
    const encoded = encodeEventData(value);
    return this.tracer.publish({ target: target.kind, type }, async (traceContext) => {
      const started = performance.now();
      const draft = traceContext
        ? { type, data: value, target, traceContext }
        : { type, data: value, target };
      let accepted: HubEvent;
      if (key === undefined) {
        accepted = await this.history.append(draft);
      } else {
        const once = await this.appendOnce(draft, key);
        if ('repeatOf' in once) {
          // Accepted before (and delivered then, or being delivered): this publish adds nothing.
          return { id: once.repeatOf, delivered: 0, repeated: true };
        }
        accepted = once.appended;
      }
      toStreamMessage(accepted, encoded);
      await this.transport.publish(accepted);
      // Resolves once this instance's fan-out has written the event to its local streams.
      const delivered = await this.connections.deliveredCount(accepted);
      this.observer.eventPublished(target.kind, (performance.now() - started) / 1000);
      return { id: accepted.id, delivered };
    });
  }

  /** @throws IdempotencyUnsupportedError when the history cannot append once per key */
  private appendOnce(draft: EventDraft, key: IdempotencyKey): Promise<OnceAppended> {
    if (!this.history.appendOnce) {
      throw new IdempotencyUnsupportedError(this.history.constructor.name);
    }
    return this.history.appendOnce(draft, key, this.settings.idempotencyWindowMs);
  }
}

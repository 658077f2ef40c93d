import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import {
  BEGINNING,
  ClientCommands,
  ClientDisconnectedError,
  EventHistory,
  HubFullError,
  isEventId,
  TooManyConnectionsError,
  EventTransport,
  SubscriptionRegistry,
  TopicScope,
  type ClientId,
  type ClientPrincipal,
  type AnswerOf,
  type DisconnectCommand,
  type HubCommand,
  type Topic,
  type EventId,
  type HistoryPage,
  type HubEvent,
  type SubscriptionChange,
  type Unsubscribe,
} from '../domain/index.js';
import type { ConnectionSink, SocketControl } from './connection-sink.js';
import { subscriberSink } from './subscriber-sink.js';
import { Connection } from './connection.js';
import {
  LifecycleEventSink,
  SseLifecycleEvent,
  type ConnectionClosedEvent,
  type ConnectionOpenedEvent,
  type SubscriptionsExpiredEvent,
} from './hub-lifecycle-events.js';
import { HubObserver, NO_HUB_OBSERVER } from './hub-observer.js';
import { HubTracer, NO_HUB_TRACER } from './hub-tracer.js';
import { HeartbeatClock } from './heartbeat-clock.js';
import { HubSettings } from './hub-settings.js';
import { LocalFanout } from './local-fanout.js';
import { LocalSubscriptions } from './local-subscriptions.js';
import type { StreamMessage } from './stream-message.js';

/** How long a publish waits to learn how many local connections took its event. */
const DELIVERY_REPORT_TIMEOUT_MS = 1_000;

/** How long a shutdown waits for the ended streams to reach their sockets before going on. */
const SHUTDOWN_DRAIN_TIMEOUT_MS = 3_000;

export interface ConnectOptions {
  /**
   * Resume after this id (from Last-Event-ID); without it the stream starts at the present. An
   * id the hub cannot read or place starts it at the present too, with `recovered: false`.
   */
  readonly lastEventId?: EventId;
  readonly sink: ConnectionSink;
  /** The trace the stream's set-up belongs to: its later outcomes are logged with it. */
  readonly traceId?: string;
}

/** How a stream's start went, once it is live. */
export interface StreamStarted {
  /** Only when resuming: whether every event after Last-Event-ID was replayed. */
  readonly recovered?: boolean;
  /** Events sent from history. */
  readonly replayed: number;
}

/** @publicApi */
export interface OpenStreamOptions {
  /**
   * Resume after this id (from Last-Event-ID, as the client sent it); without it the stream
   * starts at the present. An id the hub cannot read or place starts it at the present too, with
   * `recovered: false`.
   */
  readonly lastEventId?: EventId;
  /** The socket under the host's `@Sse()` response (see `expressSocketControl`). */
  readonly socket: SocketControl;
}

/**
 * Events read from history at a time for a replay. A page of the largest events (64 KiB) is
 * 4 MiB, the most a replay holds at once; pages of small events cost a broker round trip per 64.
 */
const REPLAY_PAGE_SIZE = 64;

const NOTHING_TO_REPLAY: HistoryPage = Object.freeze({ events: [], complete: true });

/** The payload of the first frame of every stream. */
export interface ConnectedGreeting {
  readonly clientId: ClientId;
  readonly connectionId: string;
  readonly recovered?: boolean;
}

/**
 * Opens client streams and keeps this instance's fan-out fed: one transport subscription for the
 * process, fanned out to local connections, and the registry's change feed applied to the local
 * subscription index.
 */
@Injectable()
export class ConnectionService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('SseConnections');
  private readonly subscriptions = new LocalSubscriptions();
  private readonly fanout = new LocalFanout(this.subscriptions);
  /** Open connections per client on this instance, and the load of its subscriptions. */
  private readonly clients = new Map<ClientId, { connections: number; loaded: Promise<void> }>();
  private readonly stops: Unsubscribe[] = [];
  private readonly heartbeat: HeartbeatClock;
  /** Each connection's report to the registry that it opened; its close is reported after it. */
  private readonly registryOpened = new WeakMap<Connection, Promise<void>>();
  private readonly observer: HubObserver;
  /** Called when the last connection is released, while a shutdown waits for that. */
  private drained?: () => void;
  private readonly tracer: HubTracer;
  /** The trace of each traced stream's set-up (none when nobody traces), for its outcome logs. */
  private readonly traceIds = new WeakMap<Connection, string>();
  /** Clients disconnected without leave to reconnect -> until when (epoch ms). */
  private readonly refused = new Map<ClientId, number>();

  constructor(
    @Inject(EventHistory) private readonly history: EventHistory,
    @Inject(EventTransport) private readonly transport: EventTransport,
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(HubSettings) private readonly settings: HubSettings,
    @Inject(ClientCommands) private readonly commands: ClientCommands,
    @Optional() @Inject(LifecycleEventSink) private readonly emitter?: LifecycleEventSink,
    @Optional() @Inject(HubObserver) observer?: HubObserver,
    @Optional() @Inject(HubTracer) tracer?: HubTracer,
  ) {
    this.observer = observer ?? NO_HUB_OBSERVER;
    this.tracer = tracer ?? NO_HUB_TRACER;
    this.heartbeat = new HeartbeatClock(settings.heartbeatMs);
  }

  onModuleInit(): void {
    this.heartbeat.start((tick) => this.fanout.forEach((connection) => connection.beatIfIdle(tick)));
    this.stops.push(
      this.transport.subscribe((event) =>
        this.observer.eventDelivered(this.tracer.fanout(event, () => this.fanout.deliver(event))),
      ),
      this.registry.watch((change) => this.onSubscriptionChange(change)),
      this.commands.onCommand((command) => this.answer(command)),
    );
  }

  /** Ends every stream cleanly (so EventSources reconnect elsewhere), then stops listening. */
  onModuleDestroy(): void {
    this.heartbeat.stop();
    this.closeAll('shutdown');
    this.stops.splice(0).forEach((stop) => stop());
  }

  /**
   * Waits (bounded) until every stream ended in `onModuleDestroy` has been released, that is,
   * until each sink has reported its close: for an HTTP response, once its last chunk went to
   * the socket. Nest closes the HTTP server after this hook, and with `forceCloseConnections`
   * it destroys every socket: without the wait, that can overtake a stream's end, and the client
   * sees a cut connection instead of a clean end.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.fanout.size === 0) {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<true>((resolve) => (this.drained = () => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_DRAIN_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    this.drained = undefined;
    if (!drained) {
      this.logger.warn(`${this.fanout.size} stream(s) still open ${SHUTDOWN_DRAIN_TIMEOUT_MS} ms after shutdown began`);
    }
  }

  get openConnections(): number {
    return this.fanout.size;
  }

  closeAll(reason: 'shutdown'): void {
    for (const connection of this.fanout.connections()) {
      connection.close(reason);
    }
  }

  /** How many local connections took an event, once this instance has fanned it out. */
  deliveredCount(event: HubEvent): Promise<number> {
    return this.fanout.deliveredCount(event.id, DELIVERY_REPORT_TIMEOUT_MS);
  }

  /**
   * Opens a client's stream on `sink`: `connected` first, then the replay after `lastEventId`,
   * then live events. The promise settles once the stream is live; it rejects (and the
   * connection is released) when the broker cannot serve it, before anything was written.
   * The connection is released when the sink reports its close.
   */
  connect(principal: ClientPrincipal, options: ConnectOptions): { connection: Connection; ready: Promise<StreamStarted> } {
    this.admit(principal.clientId);
    const connection = new Connection(
      randomUUID(),
      principal.clientId,
      BEGINNING,
      options.sink,
      this.settings,
      this.heartbeat,
      TopicScope.of(principal.topicPatterns),
    );
    this.fanout.addCatchingUp(connection);
    this.observer.connectionOpened();
    const { loaded, opened } = this.retainClient(principal.clientId);
    this.registryOpened.set(connection, opened);
    if (principal.expiresAt !== undefined) {
      connection.endAt(principal.expiresAt);
    }
    // Whatever ends the stream (the client leaving, a close here, a failed start), the sink
    // reports it, and the connection is forgotten here; no caller has to remember to.
    options.sink.onClose(() => this.release(connection));
    if (options.traceId !== undefined) {
      this.traceIds.set(connection, options.traceId);
    }
    const ready = this.start(connection, loaded, options).catch((error: unknown) => {
      this.release(connection);
      throw error;
    });
    return { connection, ready };
  }

  /**
   * Checks that one more stream fits, for this client and for this instance.
   * @throws TooManyConnectionsError, HubFullError
   */
  admit(clientId: ClientId): void {
    const refusedUntil = this.refused.get(clientId);
    if (refusedUntil !== undefined) {
      if (refusedUntil > Date.now()) throw new ClientDisconnectedError(refusedUntil - Date.now());
      this.refused.delete(clientId);
    }
    if (this.fanout.size >= this.settings.maxConnections) {
      throw new HubFullError(this.settings.maxConnections);
    }
    if ((this.clients.get(clientId)?.connections ?? 0) >= this.settings.maxConnectionsPerClient) {
      throw new TooManyConnectionsError(this.settings.maxConnectionsPerClient);
    }
  }

  /** This instance's part of a hub command (see `ClientCommands`). */
  private answer<C extends HubCommand>(command: C): Promise<AnswerOf<C>> {
    switch (command.kind) {
      case 'disconnect':
        return this.disconnectHere(command) as Promise<AnswerOf<C>>;
      case 'countStreams':
        return Promise.resolve(this.clients.get(command.clientId)?.connections ?? 0) as Promise<AnswerOf<C>>;
      case 'topicMembers':
        return Promise.resolve(this.connectedSubscribersOf(command.topic)) as Promise<AnswerOf<C>>;
    }
    return Promise.reject(new Error(`unknown hub command ${(command as HubCommand).kind}`));
  }

  /** The clients with a stream here that are subscribed to `topic`. */
  private connectedSubscribersOf(topic: Topic): ClientId[] {
    return [...(this.subscriptions.subscribersOf(topic) ?? [])].filter((clientId) => this.clients.has(clientId));
  }

  /**
   * Carries out a disconnect on this instance: once the final event (if any) has been written
   * here, ends the client's streams; refuses its new ones until `refuseUntil` when given.
   * @returns how many streams it ended
   */
  private async disconnectHere({ clientId, after, refuseUntil }: DisconnectCommand): Promise<number> {
    if (refuseUntil !== undefined) {
      this.refused.set(clientId, refuseUntil);
      this.forgetOldRefusals();
    }
    if (after !== undefined) {
      // The final event travels through the broker; the order may come first.
      await this.fanout.deliveredCount(after, DELIVERY_REPORT_TIMEOUT_MS);
    }
    const ending: Connection[] = [];
    this.fanout.forEachOfClient(clientId, (connection) => ending.push(connection));
    ending.forEach((connection) => connection.close('disconnected'));
    return ending.length;
  }

  /** Refusals that ran out are dropped when a new one comes, so the map stays small. */
  private forgetOldRefusals(): void {
    const now = Date.now();
    for (const [clientId, until] of this.refused) {
      if (until <= now) this.refused.delete(clientId);
    }
  }

  /** Forgets a connection whose client has gone (or that was closed here). Idempotent. */
  private release(connection: Connection): void {
    if (connection.released) {
      return;
    }
    connection.released = true;
    this.finish(connection);
  }

  /**
   * The stream as an Observable, for a host app's own `@Sse()` route: Nest writes the frames.
   * Subscribing opens it; unsubscribing (Nest does so when the request closes) releases it.
   */
  open(principal: ClientPrincipal, options: OpenStreamOptions): Observable<StreamMessage> {
    return new Observable<StreamMessage>((subscriber) => {
      const { ready } = this.connect(principal, {
        lastEventId: options.lastEventId,
        sink: subscriberSink(subscriber, options.socket),
      });
      // The sink releases the connection when the subscriber closes (see subscriberSink).
      ready.catch((error: unknown) => subscriber.error(error));
    });
  }

  private async start(
    connection: Connection,
    loaded: Promise<void>,
    { lastEventId }: ConnectOptions,
  ): Promise<StreamStarted> {
    const { clientId } = connection;
    await loaded;
    let recovered: boolean | undefined;
    let firstPage: HistoryPage = NOTHING_TO_REPLAY;
    let cursor: EventId;
    if (lastEventId === undefined) {
      cursor = await this.history.headId();
    } else if (!isEventId(lastEventId)) {
      // From another deployment, another hub, a proxy that rewrote it: not an answer that ends
      // the stream, since an EventSource gives up for good on one. It starts at the present.
      recovered = false;
      cursor = await this.history.headId();
    } else {
      firstPage = await this.history.readAfter(lastEventId, REPLAY_PAGE_SIZE);
      recovered = firstPage.complete;
      // An id this history cannot place (past its newest event, or from before it began with
      // nothing kept since) gives way to the head, so live events are not dropped as duplicates
      // of events the client never had, and the greeting names a point a reconnect can resume from.
      cursor =
        !firstPage.complete && firstPage.events.length === 0 ? await this.history.headId() : lastEventId;
    }
    if (!connection.isOpen) {
      return { recovered, replayed: 0 };
    }
    const greeting: ConnectedGreeting = { clientId, connectionId: connection.id, recovered };
    connection.greet({
      retry: this.settings.retryMs,
      type: 'connected',
      // The id of the point the client is now current at: a reconnect before any event arrives
      // resumes from here and misses nothing.
      id: cursor,
      data: JSON.stringify(greeting),
    });
    connection.resumeFrom(cursor);
    const replayed = await this.replay(connection, firstPage);
    if (!connection.isOpen) {
      return { recovered, replayed };
    }
    if (recovered !== undefined) {
      this.observer.replayed(recovered ? 'recovered' : 'incomplete', replayed);
    }
    if (recovered === false) {
      this.logOutcome(connection, 'resumed with an incomplete replay: history no longer reached back');
    }
    this.fanout.promoteToLive(connection);
    connection.goLive(this.subscriptions.of(clientId));
    this.emit<ConnectionOpenedEvent>(SseLifecycleEvent.ConnectionOpened, {
      clientId,
      connectionId: connection.id,
    });
    return { recovered, replayed };
  }

  /**
   * Sends the replay page by page (each page read after the last event of the one before), and
   * each event only once the socket has taken the ones before: a replay holds one page and one
   * socket write in memory, however long history is, and goes out as fast as the client reads.
   * Live events meanwhile are held against the connection's bound (see `Connection`).
   * @returns how many events were sent (the connection may have closed meanwhile)
   */
  private async replay(connection: Connection, firstPage: HistoryPage): Promise<number> {
    const subscriptions = this.subscriptions.of(connection.clientId);
    let page = firstPage;
    let replayed = 0;
    for (;;) {
      for (const event of page.events) {
        if (connection.isEntitledTo(event, subscriptions)) {
          const writable = connection.whenWritable();
          if (writable) {
            await writable;
          }
          if (!connection.isOpen) {
            return replayed;
          }
          connection.replay(event);
          replayed++;
        }
        connection.resumeFrom(event.id);
      }
      if (page.events.length < REPLAY_PAGE_SIZE || !connection.isOpen) {
        return replayed;
      }
      page = await this.history.readAfter(page.events[page.events.length - 1].id, REPLAY_PAGE_SIZE);
      if (!page.complete) {
        // History dropped events this client had not read yet: it reads too slowly to catch up.
        // It resumes from the last event it got, and is then told what it missed.
        connection.close('too_slow');
        return replayed;
      }
    }
  }

  private finish(connection: Connection): void {
    const reason = connection.closeReason;
    if (reason === 'too_slow' || reason === 'token_expired') {
      this.logOutcome(connection, reason === 'too_slow' ? 'closed as too slow' : 'ended: its token expired');
    }
    const wasLive = connection.isLive;
    this.fanout.remove(connection);
    connection.dispose();
    this.releaseClient(connection.clientId, this.registryOpened.get(connection) ?? Promise.resolve());
    this.observer.connectionClosed(connection.closeReason);
    if (this.fanout.size === 0) {
      this.drained?.();
    }
    if (wasLive) {
      this.emit<ConnectionClosedEvent>(SseLifecycleEvent.ConnectionClosed, {
        clientId: connection.clientId,
        connectionId: connection.id,
        reason: connection.closeReason,
      });
    }
  }

  /**
   * Counts a local connection of the client; the first one loads its subscriptions. Every
   * connection is reported to the registry as opened, and (in `releaseClient`) as closed once
   * that report has settled, even when it failed: a broker that is away while a stream opens
   * must not leave the connection counted, and the client's subscriptions held, forever.
   */
  private retainClient(clientId: ClientId): { loaded: Promise<void>; opened: Promise<void> } {
    const opened = this.registry.connectionOpened(clientId);
    // Each connection awaits `opened` and `loaded` itself; these only keep a failure from
    // going unhandled.
    opened.catch(() => undefined);
    let known = this.clients.get(clientId);
    if (known) {
      known.connections++;
    } else {
      this.subscriptions.track(clientId);
      const loaded = opened
        .then(() => this.registry.list(clientId))
        .then((subscriptions) => this.subscriptions.load(clientId, subscriptions));
      loaded.catch(() => undefined);
      known = { connections: 1, loaded };
      this.clients.set(clientId, known);
    }
    return { opened, loaded: Promise.all([opened, known.loaded]).then(() => undefined) };
  }

  private releaseClient(clientId: ClientId, opened: Promise<void>): void {
    const known = this.clients.get(clientId);
    if (known && --known.connections === 0) {
      this.clients.delete(clientId);
      this.subscriptions.untrack(clientId);
    }
    opened
      .catch(() => undefined)
      .then(() => this.registry.connectionClosed(clientId))
      .catch((error: unknown) => this.logger.warn(`Could not release ${clientId}: ${String(error)}`));
  }

  private onSubscriptionChange(change: SubscriptionChange): void {
    this.subscriptions.apply(change);
    if (change.kind !== 'added') {
      // The connections' kept decisions stay within the client's current topics.
      const gone = change.kind === 'removed' ? change.topics : undefined;
      this.fanout.forEachOfClient(change.clientId, (connection) => connection.scope.forget(gone));
    }
    if (change.kind === 'expired') {
      this.emit<SubscriptionsExpiredEvent>(SseLifecycleEvent.SubscriptionsExpired, {
        clientId: change.clientId,
        // An adapter that does not name its expiries: unique here, as nothing else emits it.
        expiryId: change.expiryId ?? randomUUID(),
      });
    }
  }

  /**
   * A stream outcome that support will be asked about, with what finds it again: the client, the
   * connection and the trace of its set-up (never the token).
   */
  private logOutcome(connection: Connection, what: string): void {
    const traceId = this.traceIds.get(connection);
    this.logger.log(
      `Stream ${what}: clientId=${connection.clientId} connectionId=${connection.id}` +
        (traceId === undefined ? '' : ` traceId=${traceId}`),
    );
  }

  private emit<T extends object>(name: string, payload: T): void {
    this.emitter?.emit(name, payload);
  }
}

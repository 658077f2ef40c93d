import type { ClientId } from '../domain/index.js';

/**
 * Names of the lifecycle events the hub emits through `@nestjs/event-emitter`, so a host app can
 * keep its own per-client state in step (`@OnEvent(SseLifecycleEvent.ConnectionClosed)`).
 * @publicApi
 */
export const SseLifecycleEvent = {
  ConnectionOpened: 'sse.connection.opened',
  ConnectionClosed: 'sse.connection.closed',
  SubscriptionsExpired: 'sse.subscriptions.expired',
} as const;

/** Why a stream ended. */
export type CloseReason = 'client_left' | 'too_slow' | 'shutdown' | 'token_expired' | 'disconnected';

/** @publicApi */
export interface ConnectionOpenedEvent {
  readonly clientId: ClientId;
  readonly connectionId: string;
}

/** @publicApi */
export interface ConnectionClosedEvent extends ConnectionOpenedEvent {
  readonly reason: CloseReason;
}

/**
 * A client's topics expired. With a shared broker (Redis) every instance emits it, once each:
 * a cleanup hook that must run once cluster-wide de-duplicates on `expiryId`, the same on every
 * instance for one expiry (for example `SET <expiryId> 1 NX PX 60000` in Redis, then act only
 * when it was set).
 * @publicApi
 */
export interface SubscriptionsExpiredEvent {
  readonly clientId: ClientId;
  /** Names this expiry, the same on every instance that emits it. */
  readonly expiryId: string;
}

/**
 * Where the hub sends its lifecycle events (`SseLifecycleEvent`): the app's event emitter with
 * `lifecycleEvents: true`, nowhere otherwise. The application layer emits through this token and
 * never loads `@nestjs/event-emitter` itself.
 */
export interface LifecycleEventSink {
  emit(name: string, payload: object): void;
}

/** Token of the `LifecycleEventSink`. */
export const LifecycleEventSink = Symbol('LifecycleEventSink');

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
export type CloseReason = 'client_left' | 'too_slow' | 'shutdown' | 'token_expired';

/** @publicApi */
export interface ConnectionOpenedEvent {
  readonly clientId: ClientId;
  readonly connectionId: string;
}

/** @publicApi */
export interface ConnectionClosedEvent extends ConnectionOpenedEvent {
  readonly reason: CloseReason;
}

/** @publicApi */
export interface SubscriptionsExpiredEvent {
  readonly clientId: ClientId;
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

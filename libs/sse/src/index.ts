/**
 * The public surface of sse-hub. Anything not exported here is internal.
 */
export { SseModule } from './sse.module.js';
export { InjectEventHistory, InjectEventTransport, InjectSubscriptionRegistry } from './sse.decorators.js';
export {
  SSE_MODULE_OPTIONS,
  OPTIONS_TYPE as SSE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE as SSE_ASYNC_OPTIONS_TYPE,
} from './sse.module-definition.js';
export type { SseModuleExtras } from './sse.module-definition.js';
export type {
  SseAdapters,
  SseModuleOptions,
  SseOptionsFactory,
  SseRedisNode,
  SseRedisTopology,
  StreamMiddleware,
} from './sse-module-options.interface.js';
export { SseOptionsError } from './sse-options.error.js';
export { SSE_DEFAULTS } from './sse-resolved-options.js';
export {
  NotificationService,
  type ClientPresence,
  type DisconnectOptions,
  type TopicPresence,
  type DisconnectReceipt,
  type PublishReceipt,
} from './application/notification.service.js';
export type { BatchOutcome, BatchPublication } from './application/batch-publication.js';
export {
  TopicHistoryService,
  type TopicHistoryCursor,
  type TopicHistoryEvent,
  type TopicHistoryPage,
} from './application/topic-history.service.js';
export type { OpenStreamOptions, ConnectedGreeting } from './application/connection.service.js';
export type { SocketControl } from './application/connection-sink.js';
export type { StreamMessage } from './application/stream-message.js';
export {
  SseLifecycleEvent,
  type CloseReason,
  type ConnectionClosedEvent,
  type ConnectionOpenedEvent,
  type SubscriptionsExpiredEvent,
} from './application/hub-lifecycle-events.js';
export type { HubObserver, ReplayOutcome } from './application/hub-observer.js';
export { SseMetricsService, type SseMetricsRegistry } from './observability/sse-metrics.service.js';
export { SseMissingPeerError } from './sse-missing-peer.error.js';
export {
  BrokerHealthIndicator,
  type BrokerHealthCheckOptions,
  type BrokerHealthIndicatorResult,
} from './observability/broker.health.js';
export { JwtClientGuard } from './auth/jwt-client.guard.js';
export { CurrentClient } from './auth/current-client.decorator.js';
export { clientAddressOf, principalOf } from './auth/request-principal.js';
export type { TrustProxySetting } from './http/trust-proxy.js';
export { SSE_TRACER_NAME } from './observability/open-telemetry-hub-tracer.js';
export { RequireRole } from './auth/require-role.decorator.js';
export { SSE_JWT_SERVICE } from './auth/sse-jwt.provider.js';
export { SseAuthenticator, type AuthenticationRequest } from './auth/sse-authenticator.js';
export { expressSocketControl } from './http/express-socket-control.js';
export { EnvelopeValidationPipe } from './http/validation.pipe.js';
export { addSseApiDocs, type SseApiDocsBuilder } from './http/api-docs.js';
export {
  EventHistory,
  EventTransport,
  SubscriptionRegistry,
  TransportHealth,
  PUBLISHER_ROLE,
  BEGINNING,
  compareEventIds,
  isEventId,
  matchesTopicPattern,
  DomainError,
  InvalidTopicError,
  TopicNotAllowedError,
  TooManyTopicsError,
  InvalidEventTypeError,
  InvalidEventDataError,
  InvalidEventIdError,
  InvalidClientIdError,
  BrokerUnavailableError,
  ClosedTransportError,
  TooManyConnectionsError,
  HubFullError,
  RateLimitedError,
  IdentityProviderUnavailableError,
} from './domain/index.js';
export type {
  BrokerHealth,
  ClientId,
  ClientPrincipal,
  EventDraft,
  EventId,
  EventTarget,
  HistoryPage,
  HubEvent,
  HubEventHandler,
  Subscription,
  SubscriptionChange,
  SubscriptionChangeHandler,
  Topic,
  Unsubscribe,
} from './domain/index.js';
export { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
export { InMemoryEventTransportAdapter } from './adapters/in-memory/in-memory-event-transport.adapter.js';
export { InMemorySubscriptionRegistryAdapter } from './adapters/in-memory/in-memory-subscription-registry.adapter.js';

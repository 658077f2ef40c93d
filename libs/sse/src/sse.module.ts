import { Module, type MiddlewareConsumer, type NestModule, type Provider } from '@nestjs/common';
import { ConnectionService } from './application/connection.service.js';
import { HubObserver } from './application/hub-observer.js';
import { LifecycleEventSink } from './application/hub-lifecycle-events.js';
import { NotificationService } from './application/notification.service.js';
import { SubscriptionService } from './application/subscription.service.js';
import { JwtClientGuard } from './auth/jwt-client.guard.js';
import { FlushScheduler } from './http/flush-scheduler.js';
import { ConnectRateGuard, PublishRateGuard } from './http/rate-limit.guards.js';
import { NotificationsController } from './http/notifications.controller.js';
import { InFlightAnswersMiddleware } from './http/in-flight-answers.middleware.js';
import { JsonBodyMiddleware } from './http/json-body.middleware.js';
import { SseController } from './http/sse.controller.js';
import { StreamOpener } from './http/stream-opener.js';
import { HttpServerStreamRoute } from './http/http-server-stream-route.js';
import { StreamErrorFilter } from './http/stream-error.filter.js';
import { HistoryController } from './http/history.controller.js';
import { ClientsController } from './http/clients.controller.js';
import { PresenceController } from './http/presence.controller.js';
import { TopicHistoryService } from './application/topic-history.service.js';
import { PresenceEvents } from './application/presence-events.js';
import { ExpressTrustProxy } from './http/express-trust-proxy.js';
import { StreamRetryAnswers } from './http/stream-retry-answers.js';
import { SubscriptionsController } from './http/subscriptions.controller.js';
import { BrokerHealthIndicator } from './observability/broker.health.js';
import { SseMetricsService } from './observability/sse-metrics.service.js';
import { OpenTelemetryHubTracer } from './observability/open-telemetry-hub-tracer.js';
import { HubTracer } from './application/hub-tracer.js';
import { TraceContextMiddleware } from './http/trace-context.middleware.js';
import { EventEmitterLifecycleSink } from './observability/event-emitter-lifecycle.sink.js';
import { ConfigurableModuleClass } from './sse.module-definition.js';
import { EventHistory, EventTransport, SubscriptionRegistry } from './domain/index.js';
import { SSE_PROVIDERS } from './sse.providers.js';
import { SSE_RESOLVED_OPTIONS } from './sse-resolved-options.js';
import { SSE_JWT_SERVICE } from './auth/sse-jwt.provider.js';
import { SseAuthenticator } from './auth/sse-authenticator.js';

const applicationProviders = [ConnectionService, SubscriptionService, NotificationService, TopicHistoryService, PresenceEvents];
const httpProviders = [
  JwtClientGuard,
  ConnectRateGuard,
  PublishRateGuard,
  FlushScheduler,
  StreamOpener,
  StreamRetryAnswers,
  StreamErrorFilter,
  ExpressTrustProxy,
  HttpServerStreamRoute,
];
/**
 * Metrics, the broker's health check and lifecycle events, each loading its optional peer
 * package only when in use. The routes that serve them are the host app's: it
 * usually has a /health with checks of its own and one /metrics for the whole process.
 */
const observabilityProviders: Provider[] = [
  { provide: SseMetricsService, useFactory: SseMetricsService.create, inject: [SSE_RESOLVED_OPTIONS] },
  { provide: HubObserver, useExisting: SseMetricsService },
  OpenTelemetryHubTracer,
  { provide: HubTracer, useExisting: OpenTelemetryHubTracer },
  BrokerHealthIndicator,
  { provide: LifecycleEventSink, useClass: EventEmitterLifecycleSink },
];

/**
 * Real-time push over Server-Sent Events: `GET /sse` streams, topic subscriptions over REST,
 * publishing over REST or through `NotificationService`.
 * @publicApi
 */
@Module({
  controllers: [SseController, SubscriptionsController, NotificationsController, HistoryController, ClientsController, PresenceController],
  providers: [...SSE_PROVIDERS, ...applicationProviders, ...httpProviders, ...observabilityProviders],
  // The guard and its authenticator go out too, so host controllers can use
  // @UseGuards(JwtClientGuard); the JwtService signs tokens for hosts that mint their own.
  exports: [
    NotificationService,
    TopicHistoryService,
    JwtClientGuard,
    SseAuthenticator,
    SSE_JWT_SERVICE,
    SseMetricsService,
    BrokerHealthIndicator,
    EventHistory,
    EventTransport,
    SubscriptionRegistry,
  ],
})
export class SseModule extends ConfigurableModuleClass implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(InFlightAnswersMiddleware, JsonBodyMiddleware)
      .forRoutes(NotificationsController, SubscriptionsController);
    // After the body parsers: their callbacks would not run in the request's trace context.
    consumer.apply(TraceContextMiddleware).forRoutes(NotificationsController);
  }
}

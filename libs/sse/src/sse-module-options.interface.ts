import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventHistory, EventTransport, SubscriptionRegistry } from './domain/index.js';

/**
 * Ready-made adapters. Each one given here is used as it is (and not closed by the module);
 * each one left out is built by the module for `broker`.
 * @publicApi
 */
export interface SseAdapters {
  readonly transport?: EventTransport;
  readonly history?: EventHistory;
  readonly registry?: SubscriptionRegistry;
}

/**
 * Middleware the HTTP-server stream route runs (see `SseModuleOptions.streamMiddleware`).
 * @publicApi
 */
export type StreamMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Options of `SseModule.forRoot()` / `forRootAsync()`: one flat object.
 * @publicApi
 */
export interface SseModuleOptions {
  /**
   * Secret that signs client tokens (HS256). Required.
   */
  jwtSecret: string;
  /**
   * Which broker the built-in adapters use: `memory` for a single instance, `redis` for several
   * instances that act as one hub (events, ids, history and subscriptions shared through Redis).
   * @default 'memory'
   */
  broker?: 'memory' | 'redis';
  /**
   * Where Redis is, when `broker` is `redis`: a `redis://` or `rediss://` URL, which may carry
   * a user, password and database (`redis://:secret@host:6379/2`). Never logged.
   * @default 'redis://127.0.0.1:6379'
   */
  redisUrl?: string;
  /**
   * Namespace of every Redis key the hub uses (`<prefix>:events`, `<prefix>:subs:<client>`…).
   * Instances with the same Redis and prefix form one hub; another prefix is another hub.
   * 1-64 characters of letters, digits and `_ - . :`.
   * @default 'sse-hub'
   */
  redisKeyPrefix?: string;
  /**
   * Idle time after which a stream gets a comment frame, so proxies keep it open.
   * @default 15000
   */
  heartbeatMs?: number;
  /**
   * Reconnection delay sent to clients in the first frame (`retry:`).
   * @default 3000
   */
  retryMs?: number;
  /**
   * Events kept for replay on reconnect.
   * @default 10000
   */
  historySize?: number;
  /**
   * Frames that may wait for a connection whose socket is backed up; past that it is closed as
   * too slow and resumes with Last-Event-ID.
   * @default 1000
   */
  maxQueuedEvents?: number;
  /**
   * How long a client's subscriptions outlive its last connection.
   * @default 30000
   */
  subscriptionGracePeriodMs?: number;
  /**
   * Largest publish body, in bytes; larger ones get 413.
   * @default 65536
   */
  maxBodyBytes?: number;
  /**
   * Most topics one client may hold.
   * @default 1000
   */
  maxTopicsPerClient?: number;
  /**
   * Open streams one client may hold on one instance; past it, 429.
   * @default 32
   */
  maxConnectionsPerClient?: number;
  /**
   * Open streams one instance holds; past it, 503 (a load balancer can try another instance).
   * @default 100000
   */
  maxConnections?: number;
  /**
   * Events one publisher may publish per second; past it, 429. 0 turns the limit off.
   * @default 1000
   */
  publishRatePerSecond?: number;
  /**
   * Stream connection attempts one IP address may make per minute; past it, 429. 0 turns the
   * limit off. Behind a proxy, set Express's `trust proxy` so the client's address is seen.
   * @default 600
   */
  connectRatePerMinute?: number;
  /**
   * What serves `GET /sse`:
   * - `http-server`: a `request` listener on the HTTP server that answers `GET <prefix>/sse`
   *   (and `HEAD`) before Express sees it. An open stream holds about a third less heap, and a
   *   fan-out costs less CPU per delivery (Express gives each request and response a hidden
   *   class of its own; see docs/benchmarks.md). The module provides what a host would
   *   otherwise get from Express: the global prefix and `path` are honoured, `cors` below stands
   *   for `enableCors()`, `streamMiddleware` for an access log or other middleware, the attempt
   *   limit follows Express's `trust proxy`, new streams get 503 once a shutdown starts, and open
   *   ones are ended and drained before the server closes. Host guards and interceptors do not
   *   see the stream (a RouterModule mount made by the host is not seen either: use `path`).
   *   Falls back to `controller` when the app's HTTP server is not Express's.
   * - `controller`: a Nest controller, so the host's global guards, interceptors, middleware,
   *   filters and `enableCors()` apply to the stream as to every other route.
   * @default 'http-server'
   */
  streamEndpoint?: 'controller' | 'http-server';
  /**
   * CORS for the stream when `streamEndpoint` is `http-server` (the host's `enableCors()` does
   * not reach it); the same options `enableCors()` takes. Preflight requests still go to Nest.
   * Unset: no CORS headers on the stream.
   */
  cors?: CorsOptions;
  /**
   * Connect-style middleware (`(request, response, next) => void`, as morgan or pino-http) run
   * in order on each stream request when `streamEndpoint` is `http-server`, before the module's
   * own checks: the host's `app.use()` middleware does not reach that route, so an access log
   * goes here too. Calling `next(error)` answers 500; ending the response answers the request.
   * With `controller`, the host's own middleware applies instead and this is not used.
   * @default []
   */
  streamMiddleware?: readonly StreamMiddleware[];
  /** Adapters to use instead of the built-in ones. */
  adapters?: SseAdapters;
  /**
   * Prometheus metrics in `SseMetricsService` (open connections, events published and
   * delivered, slow-client closes, replays, publish-to-write latency). Needs the optional peer
   * `prom-client`, loaded only when this is on. Off: `SseMetricsService` records nothing.
   * @default false
   */
  metrics?: boolean;
  /**
   * Lifecycle events (`SseLifecycleEvent`: connection opened/closed, subscriptions expired)
   * emitted through `@nestjs/event-emitter`. Needs that optional peer, loaded only when this is
   * on, and `EventEmitterModule.forRoot()` imported by the app.
   * @default false
   */
  lifecycleEvents?: boolean;
}

/**
 * For `forRootAsync({ useClass })` and `useExisting`.
 * @publicApi
 */
export interface SseOptionsFactory {
  createSseOptions(): SseModuleOptions | Promise<SseModuleOptions>;
}

import type { TrustProxySetting } from './http/trust-proxy.js';
import type { JWK } from 'jose';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SseAuthenticator } from './auth/sse-authenticator.js';
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
   * Secret that signs client tokens (HS256, or what `jwtAlgorithms` lists of HS256/384/512), for
   * tokens the app mints itself. Exactly one of `jwtSecret`, `jwtPublicKey` and `jwksUrl` is
   * required, unless an `authenticator` replaces the JWT check. `SSE_JWT_SERVICE` signs with it.
   */
  jwtSecret?: string;
  /**
   * The identity provider's public key, as PEM (`-----BEGIN PUBLIC KEY-----`) or a JWK object:
   * RSA (RS256, or RS384/RS512/PS256 through `jwtAlgorithms`), EC P-256/P-384 (ES256/ES384) or
   * Ed25519 (EdDSA). The algorithm defaults to the one the key is for.
   */
  jwtPublicKey?: string | JWK;
  /**
   * The identity provider's JWKS URL (`https://idp.example.com/.well-known/jwks.json`). Keys are
   * cached and picked by the token's `kid`; a `kid` not in the cache makes the set be fetched
   * again (at most once per `jwksCooldownMs`), so key rotation needs no restart. When the set
   * cannot be fetched and no cached key fits, requests get 503 with `Retry-After`, not 401.
   */
  jwksUrl?: string;
  /**
   * The algorithms tokens may be signed with; anything else (and always `none`) is refused.
   * HS* only with `jwtSecret`, the others only with a public key or JWKS, so an HS token signed
   * with the public key as its secret cannot pass.
   * @default ['HS256'] with a secret; the key's own algorithm with a public key; RS256, RS384,
   * RS512, PS256, ES256, ES384 and EdDSA with a JWKS
   */
  jwtAlgorithms?: readonly string[];
  /** Required `iss` claim (one value or any of several). Unset: not checked. */
  jwtIssuer?: string | readonly string[];
  /** Required `aud` claim (one value or any of several). Unset: not checked. */
  jwtAudience?: string | readonly string[];
  /**
   * Seconds of clock difference allowed when checking `exp`, `nbf` and `iat` (an `iat` further
   * in the future than this is refused).
   * @default 0
   */
  jwtClockToleranceSeconds?: number;
  /**
   * Refuse tokens without an `exp` claim (otherwise such a token is valid forever).
   * @default false
   */
  requireTokenExpiry?: boolean;
  /**
   * Refuse tokens whose `iat` is older than this many seconds (and tokens without `iat`),
   * whatever their `exp`. Unset: no cap.
   */
  maxTokenAgeSeconds?: number;
  /**
   * Least time between two fetches of the JWKS caused by an unknown `kid`, so tokens with made-up
   * `kid`s cannot make the hub hammer the identity provider.
   * @default 30000
   */
  jwksCooldownMs?: number;
  /**
   * Claim that holds the client id, as a claim name or a dotted path (`user.id`).
   * @default 'sub'
   */
  clientIdClaim?: string;
  /**
   * Claim that holds the roles (an array of strings, or one space-separated string): a claim
   * name, which may itself contain dots (Auth0's `https://example.com/roles`), or a dotted path
   * (Keycloak's `realm_access.roles`). The name is tried first.
   * @default 'roles'
   */
  rolesClaim?: string;
  /**
   * Claim that holds the topic patterns the client may subscribe to (name or dotted path, as
   * `rolesClaim`). Without the claim every topic is allowed.
   * @default 'topics'
   */
  topicsClaim?: string;
  /**
   * The role (as the identity provider names it) that lets a client publish.
   * @default 'publisher'
   */
  publisherRole?: string;
  /**
   * Who a request comes from, in place of the JWT check: for opaque tokens, a session cookie or
   * Passport. Used by every route of the module: `GET /sse` on either `streamEndpoint`, and the
   * REST routes (through `JwtClientGuard`). See `SseAuthenticator`.
   */
  authenticator?: SseAuthenticator;
  /**
   * Which broker the built-in adapters use: `memory` for a single instance, `redis` or
   * `postgres` for several instances that act as one hub (events, ids, history and subscriptions
   * shared through Redis, or through tables and LISTEN/NOTIFY in PostgreSQL).
   * @default 'memory'
   */
  broker?: 'memory' | 'redis' | 'postgres';
  /**
   * Where Redis is, when `broker` is `redis`: a `redis://` or `rediss://` URL, which may carry
   * a user, password and database (`redis://:secret@host:6379/2`). Never logged.
   * @default 'redis://127.0.0.1:6379'
   */
  redisUrl?: string;
  /**
   * Where Redis is when it is more than one server, in place of `redisUrl`: a primary with
   * replicas behind Sentinel (`{ sentinels, name }`), followed through failovers, or a Redis
   * Cluster (`{ cluster: [...nodes] }`), where every key of one hub lives in one slot. See
   * docs/redis.md for what a 202 guarantees in each.
   */
  redis?: SseRedisTopology;
  /**
   * Replicas that must have an event before its publish is answered 202 (Redis `WAIT`, at most
   * 1 s, else 503: the event may still be delivered, so retry with the same idempotency key).
   * With 1 or more, no event answered 202 is lost when the primary fails over to a replica.
   * @default 0
   */
  redisMinReplicas?: number;
  /**
   * Namespace of every Redis key the hub uses (`{<prefix>}:events`, `{<prefix>}:subs:<client>`…;
   * the braces keep one hub's keys in one Redis Cluster slot).
   * Instances with the same Redis and prefix form one hub; another prefix is another hub.
   * 1-64 characters of letters, digits and `_ - . :`.
   * @default 'sse-hub'
   */
  redisKeyPrefix?: string;
  /**
   * The PostgreSQL broker's settings, when `broker` is `postgres` (see docs/postgres.md).
   * Instances on the same database and schema form one hub; another schema is another hub.
   * @default { connectionString: 'postgres://127.0.0.1:5432/test', schema: 'sse_hub', poolSize: 10 }
   */
  postgres?: SsePostgresOptions;
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
   * What the frames waiting for a backed-up socket may weigh, in bytes (the length of their text;
   * a broadcast frame shared by many connections counts in full for each), so large events
   * cannot pile up below the frame bound (1,000 events of 64 KiB would be 64 MB for one client
   * that stopped reading). Past it the connection is closed as too slow and resumes with
   * Last-Event-ID. At least `maxBodyBytes`, so one event of the largest size fits.
   * @default 1048576 (1 MiB, as Centrifugo's client queue)
   */
  maxQueuedBytes?: number;
  /**
   * How long a publish's idempotency key is remembered: a publish repeated with the same key
   * within it (REST `Idempotency-Key`, or `idempotencyKey` of a `NotificationService` method) is
   * answered with the first one's id and delivers nothing again, on every instance.
   * @default 300000 (5 minutes)
   */
  idempotencyWindowMs?: number;
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
   * Publications one `POST /notifications/batch` may carry (each counts against
   * `publishRatePerSecond`); more is a 400 and nothing is published. The body limit
   * (`maxBodyBytes`) applies to the whole batch.
   * @default 500
   */
  maxBatchSize?: number;
  /**
   * After a disconnect with `reconnect: false`, how long new streams of that client are refused
   * (403 `CLIENT.DISCONNECTED`, which a native EventSource does not retry), on every instance
   * that carried out the disconnect.
   * @default 300000 (5 minutes)
   */
  disconnectRefusalMs?: number;
  /**
   * Presence events: a client subscribing to a topic publishes `presence.join` `{ clientId,
   * topic }` on the companion topic `presence:<topic>`, and `presence.leave` when it unsubscribes
   * or its subscriptions expire (the grace period after its last stream). Once per client, however
   * many tabs, on every broker. Clients watch them by subscribing to `presence:<topic>` (their
   * token's `topics` claim must allow it).
   * @default false
   */
  presenceEvents?: boolean;
  /**
   * Stream connection attempts one IP address may make per minute; past it the stream is answered
   * 200 with only a `retry:` delay (see docs/protocol.md), so an EventSource comes back later
   * instead of giving up. 0 turns the limit off. Behind a proxy, set `trustProxy` so that the
   * limit counts each client's address, not the proxy's.
   * @default 600
   */
  connectRatePerMinute?: number;
  /**
   * Which proxies in front of the app to believe about the client's address (`X-Forwarded-For`):
   * Express's `trust proxy` values: `true` (all), a hop count, `'loopback'`, `'uniquelocal'`,
   * addresses and CIDRs (comma-separated or a list). The module sets it on the Express app, so the
   * connect limit on both stream endpoints, `request.ip` and access logs see the same address.
   * Unset, the app's own `trust proxy` setting applies (Express's default: no proxy trusted, so a
   * client cannot dodge the limit by sending the header itself).
   */
  trustProxy?: TrustProxySetting;
  /**
   * What serves `GET /sse`:
   * - `http-server`: a `request` listener on the HTTP server that answers `GET <prefix>/sse`
   *   (and `HEAD`) before Express sees it. An open stream holds about a third less heap, and a
   *   fan-out costs less CPU per delivery (Express gives each request and response a hidden
   *   class of its own; see docs/benchmarks.md). The module provides what a host would
   *   otherwise get from Express: the global prefix and `path` are honoured, the app's
   *   `enableCors()` applies (or `cors` below), `streamMiddleware` stands for an access log or
   *   other middleware, the attempt
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
   * CORS for the stream when `streamEndpoint` is `http-server`; the same options `enableCors()`
   * takes. Unset: the app's own `enableCors()` (or NestFactory's `cors`) settings, which the
   * module finds on the Express app and runs on the stream too; no CORS headers when the app has
   * none. Preflight requests go to Nest either way.
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

/**
 * Where and how the PostgreSQL broker keeps the hub (`broker: 'postgres'`).
 * @publicApi
 */
export interface SsePostgresOptions {
  /**
   * A `postgres://` or `postgresql://` URL, which may carry a user, password and options
   * (`postgres://sse:secret@db:5432/app?sslmode=require`). Never logged.
   * @default 'postgres://127.0.0.1:5432/test'
   */
  connectionString?: string;
  /**
   * The schema of the hub's tables, created on start if missing: a lowercase identifier of at
   * most 40 characters (letters, digits, `_`).
   * @default 'sse_hub'
   */
  schema?: string;
  /**
   * Connections of the instance's pool, shared by all its requests (streams hold none); the
   * instance opens one more, outside the pool, for LISTEN.
   * @default 10
   */
  poolSize?: number;
}

/** A Redis server or Sentinel the hub is told of. */
export interface SseRedisNode {
  readonly host: string;
  readonly port: number;
}

/** Redis as more than one server: Sentinel-managed replication, or a Redis Cluster. */
export type SseRedisTopology =
  | {
      /** Some Sentinels of the deployment; the others are learned from them. */
      readonly sentinels: readonly SseRedisNode[];
      /** The name Sentinel monitors the primary under (`sentinel monitor <name> ...`). */
      readonly name: string;
      readonly username?: string;
      /** The primary's (and replicas') password. Never logged. */
      readonly password?: string;
      /** The Sentinels' own password, when they require one. Never logged. */
      readonly sentinelPassword?: string;
      readonly db?: number;
    }
  | {
      /** Some nodes of the cluster; the others are learned from them. */
      readonly cluster: readonly SseRedisNode[];
      readonly username?: string;
      /** Never logged. */
      readonly password?: string;
    };

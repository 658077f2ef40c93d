/** Defaults of every option, in one place. The ones CONTRACT.md fixes say so. */
export const SSE_DEFAULTS = {
  /** CONTRACT: SSE_HEARTBEAT_MS default. */
  heartbeatMs: 15_000,
  /** CONTRACT: SSE_RETRY_MS default. */
  retryMs: 3_000,
  /** CONTRACT: SSE_HISTORY_SIZE default. */
  historySize: 10_000,
  maxQueuedEvents: 1_000,
  subscriptionGracePeriodMs: 30_000,
  /** CONTRACT: publish bodies over 64 KiB get 413. */
  maxBodyBytes: 64 * 1024,
  maxTopicsPerClient: 1_000,
  maxConnectionsPerClient: 32,
  maxConnections: 100_000,
  publishRatePerSecond: 1_000,
  connectRatePerMinute: 600,
  deliveryReportTimeoutMs: 1_000,
  /** CONTRACT: REDIS_URL default. */
  redisUrl: 'redis://127.0.0.1:6379',
  /** Namespace of every Redis key the hub uses; instances that share it form one hub. */
  redisKeyPrefix: 'sse-hub',
} as const;

/** The brokers the built-in adapters can use. */
export const SSE_BROKERS = ['memory', 'redis'] as const;

/** What can serve `GET /sse` (see `SseModuleOptions.streamEndpoint`). */
export const SSE_STREAM_ENDPOINTS = ['controller', 'http-server'] as const;

/** The only algorithm tokens may use: pinned so `alg: none` or an RS/HS confusion cannot pass. */
export const JWT_ALGORITHM = 'HS256';

/** Where the guard looks for a token besides the Authorization header. */
export const TOKEN_QUERY_PARAMETER = 'token';
export const TOKEN_COOKIE = 'sse_token';

/** Metadata key of `@RequireRole()`. */
export const REQUIRED_ROLE_METADATA = 'sse:required-role';

/** Property of the request where the guard leaves the principal. */
export const PRINCIPAL_REQUEST_KEY = 'ssePrincipal';

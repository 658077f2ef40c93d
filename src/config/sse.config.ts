import { registerAs } from '@nestjs/config';
import type { SseModuleOptions } from 'nestjs-sse-hub';
import { corsFromEnv } from './cors.js';
import {
  accessLogEnabled,
  flagFromEnv,
  intFromEnv,
  logFormatFromEnv,
  postgresFromEnv,
  trustProxyFromEnv,
} from './env.js';
import { accessLog } from '../http-log/access-log.js';
import { jwtOptionsFromEnv } from './jwt-verification.js';
import { redisTopologyFromEnv } from './redis-topology.js';

/**
 * The hub's options from the environment (the variables of README.md's configuration table,
 * among them `SSE_REDIS_PREFIX`, the Redis key namespace: instances sharing Redis and prefix
 * form one hub; and `DATABASE_URL` with `SSE_POSTGRES_SCHEMA`: instances sharing database and
 * schema form one hub).
 * `GET /sse` is served as the module's default has it (from the HTTP server) unless
 * `SSE_STREAM_ENDPOINT=controller`.
 */
export const sseConfig = registerAs('sse', (): SseModuleOptions => {
  const env = process.env;
  const broker = env.SSE_BROKER ?? 'memory';
  return {
    ...jwtOptionsFromEnv(env),
    broker: broker as SseModuleOptions['broker'],
    heartbeatMs: intFromEnv(env, 'SSE_HEARTBEAT_MS'),
    retryMs: intFromEnv(env, 'SSE_RETRY_MS'),
    historySize: intFromEnv(env, 'SSE_HISTORY_SIZE'),
    maxQueuedEvents: intFromEnv(env, 'SSE_MAX_QUEUED_EVENTS'),
    maxQueuedBytes: intFromEnv(env, 'SSE_MAX_QUEUED_BYTES'),
    idempotencyWindowMs: intFromEnv(env, 'SSE_IDEMPOTENCY_WINDOW_MS'),
    subscriptionGracePeriodMs: intFromEnv(env, 'SSE_SUBSCRIPTION_GRACE_MS'),
    maxConnectionsPerClient: intFromEnv(env, 'SSE_MAX_CONNECTIONS_PER_CLIENT'),
    maxConnections: intFromEnv(env, 'SSE_MAX_CONNECTIONS'),
    maxTopicsPerClient: intFromEnv(env, 'SSE_MAX_TOPICS_PER_CLIENT'),
    publishRatePerSecond: intFromEnv(env, 'SSE_PUBLISH_RATE_PER_SECOND'),
    maxBatchSize: intFromEnv(env, 'SSE_MAX_BATCH_SIZE'),
    disconnectRefusalMs: intFromEnv(env, 'SSE_DISCONNECT_REFUSAL_MS'),
    presenceEvents: flagFromEnv(env, 'SSE_PRESENCE_EVENTS', false),
    connectRatePerMinute: intFromEnv(env, 'SSE_CONNECT_RATE_PER_MINUTE'),
    trustProxy: trustProxyFromEnv(env),
    // Read whatever the broker, so a bad value fails start-up rather than the day Redis is enabled.
    redisUrl: env.REDIS_URL || undefined,
    redis: redisTopologyFromEnv(env),
    redisMinReplicas: intFromEnv(env, 'REDIS_MIN_REPLICAS'),
    redisKeyPrefix: env.SSE_REDIS_PREFIX || undefined,
    // DATABASE_URL, SSE_POSTGRES_SCHEMA, SSE_POSTGRES_POOL_SIZE: the broker's tables for SSE_BROKER=postgres.
    postgres: postgresFromEnv(env),
    streamEndpoint: (env.SSE_STREAM_ENDPOINT || undefined) as SseModuleOptions['streamEndpoint'],
    // The same CORS and access log as the rest of the app (bootstrap.ts), for a stream Express
    // does not see.
    cors: corsFromEnv(env),
    streamMiddleware: accessLogEnabled(env) ? [accessLog(logFormatFromEnv(env))] : [],
    // The app serves /metrics (src/ops) and logs lifecycle events, so both optional features
    // are on; it installs their peers (prom-client, @nestjs/event-emitter).
    metrics: true,
    lifecycleEvents: true,
  };
});

import { SSE_BROKERS, SSE_DEFAULTS, SSE_STREAM_ENDPOINTS } from './sse.constants.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';

/** Options with every default filled in. */
export type ResolvedSseOptions = Required<Omit<SseModuleOptions, 'adapters' | 'cors'>> &
  Pick<SseModuleOptions, 'adapters' | 'cors'>;

/**
 * Fills in defaults and checks every option at once, so a bad configuration fails start-up with
 * one error that lists every problem instead of the first.
 * @throws SseOptionsError
 */
export function resolveSseOptions(options: SseModuleOptions): ResolvedSseOptions {
  const resolved: ResolvedSseOptions = {
    broker: 'memory',
    streamEndpoint: 'controller',
    heartbeatMs: SSE_DEFAULTS.heartbeatMs,
    retryMs: SSE_DEFAULTS.retryMs,
    historySize: SSE_DEFAULTS.historySize,
    maxQueuedEvents: SSE_DEFAULTS.maxQueuedEvents,
    subscriptionGracePeriodMs: SSE_DEFAULTS.subscriptionGracePeriodMs,
    maxBodyBytes: SSE_DEFAULTS.maxBodyBytes,
    maxTopicsPerClient: SSE_DEFAULTS.maxTopicsPerClient,
    maxConnectionsPerClient: SSE_DEFAULTS.maxConnectionsPerClient,
    maxConnections: SSE_DEFAULTS.maxConnections,
    publishRatePerSecond: SSE_DEFAULTS.publishRatePerSecond,
    connectRatePerMinute: SSE_DEFAULTS.connectRatePerMinute,
    redisUrl: SSE_DEFAULTS.redisUrl,
    redisKeyPrefix: SSE_DEFAULTS.redisKeyPrefix,
    ...withoutUndefined(options),
    jwtSecret: options.jwtSecret,
  };
  const problems: string[] = [];
  if (typeof resolved.jwtSecret !== 'string' || resolved.jwtSecret.length === 0) {
    problems.push('jwtSecret must be a non-empty string');
  }
  if (!(SSE_BROKERS as readonly unknown[]).includes(resolved.broker)) {
    problems.push(
      `broker must be one of ${SSE_BROKERS.map((b) => `'${b}'`).join(', ')} (got ${JSON.stringify(resolved.broker)})`,
    );
  }
  if (!(SSE_STREAM_ENDPOINTS as readonly unknown[]).includes(resolved.streamEndpoint)) {
    problems.push(
      `streamEndpoint must be one of ${SSE_STREAM_ENDPOINTS.map((e) => `'${e}'`).join(', ')} (got ${JSON.stringify(resolved.streamEndpoint)})`,
    );
  }
  if (resolved.cors !== undefined && (typeof resolved.cors !== 'object' || resolved.cors === null)) {
    problems.push('cors must be an object of CORS options');
  }
  problems.push(...redisProblems(resolved));
  const positive: (keyof ResolvedSseOptions)[] = [
    'heartbeatMs',
    'historySize',
    'maxQueuedEvents',
    'maxBodyBytes',
    'maxTopicsPerClient',
    'maxConnectionsPerClient',
    'maxConnections',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      problems.push(`${key} must be a positive integer (got ${JSON.stringify(value)})`);
    }
  }
  for (const key of ['retryMs', 'subscriptionGracePeriodMs', 'publishRatePerSecond', 'connectRatePerMinute'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      problems.push(`${key} must be a non-negative integer (got ${JSON.stringify(value)})`);
    }
  }
  if (problems.length > 0) {
    throw new SseOptionsError(problems);
  }
  return resolved;
}

/** Characters a key prefix may use: nothing that means something to a Redis glob or a log line. */
const REDIS_KEY_PREFIX = /^[A-Za-z0-9_\-.:]{1,64}$/;

/**
 * The Redis options are checked whatever the broker, so a typo shows before someone switches
 * `broker` to `redis`. The URL is never echoed: it may carry a password.
 */
function redisProblems({
  broker,
  redisUrl,
  redisKeyPrefix,
  adapters,
}: ResolvedSseOptions): string[] {
  const problems: string[] = [];
  if (typeof redisUrl !== 'string' || !isRedisUrl(redisUrl)) {
    problems.push('redisUrl must be a redis:// or rediss:// URL');
  }
  if (typeof redisKeyPrefix !== 'string' || !REDIS_KEY_PREFIX.test(redisKeyPrefix)) {
    problems.push(
      `redisKeyPrefix must be 1-64 characters of letters, digits and _ - . : (got ${JSON.stringify(redisKeyPrefix)})`,
    );
  }
  // With Redis, one stream is both the history and the live feed: an event only reaches other
  // instances by being appended to it. A custom history with the Redis transport (or the other
  // way round) would accept events that no instance ever delivers.
  if (broker === 'redis' && adapters && !adapters.history !== !adapters.transport) {
    problems.push(
      "adapters.history and adapters.transport must be given together with broker 'redis'",
    );
  }
  return problems;
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A bad module configuration, with every problem found. */
export class SseOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`sse-hub: invalid SseModule options:\n- ${problems.join('\n- ')}`);
    this.name = 'SseOptionsError';
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

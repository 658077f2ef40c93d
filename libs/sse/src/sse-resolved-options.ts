import { trustProxyProblem, type TrustProxySetting } from './http/trust-proxy.js';
import type { JWK } from 'jose';
import { PUBLIC_KEY_ALGORITHMS, SECRET_ALGORITHMS } from './auth/jwt-algorithms.js';
import { SseAuthenticator } from './auth/sse-authenticator.js';
import { publicKeyOf } from './auth/token-verifier.js';
import type { SseModuleOptions, SsePostgresOptions } from './sse-module-options.interface.js';
import { SseOptionsError } from './sse-options.error.js';
import { redisTopologyProblem } from './redis-topology-option.js';

/**
 * The module's options after defaults and validation: what every provider of the module reads
 * (by injecting `SSE_RESOLVED_OPTIONS`), and what `HubSettings` is bound to.
 *
 * Adding an option takes two edits: the field in `SseModuleOptions` (with JSDoc and `@default`),
 * and here its default in `SSE_DEFAULTS` and its rule in `RULES`. The compiler asks for both:
 * each object is typed to hold every option.
 */
export type ResolvedSseOptions = Readonly<
  Required<Omit<SseModuleOptions, OptionWithoutDefault | 'postgres'>> &
    Pick<SseModuleOptions, OptionWithoutDefault> & { postgres: Readonly<Required<SsePostgresOptions>> }
>;

/** Token of the `ResolvedSseOptions`. */
export const SSE_RESOLVED_OPTIONS = Symbol('SseResolvedOptions');

/** Options that mean something only when given (of the keys, one is required). */
type OptionWithoutDefault =
  | 'jwtSecret'
  | 'jwtPublicKey'
  | 'jwksUrl'
  | 'jwtAlgorithms'
  | 'jwtIssuer'
  | 'jwtAudience'
  | 'maxTokenAgeSeconds'
  | 'authenticator'
  | 'adapters'
  | 'cors'
  | 'trustProxy'
  | 'redis';

/** The brokers the built-in adapters can use. */
export const SSE_BROKERS = ['memory', 'redis', 'postgres'] as const;

/** What can serve `GET /sse` (see `SseModuleOptions.streamEndpoint`). */
export const SSE_STREAM_ENDPOINTS = ['controller', 'http-server'] as const;

/**
 * The default of every option, merged once over the given options. The ones the README and
 * docs/protocol.md promise say so.
 * @publicApi
 */
export const SSE_DEFAULTS = {
  broker: 'memory',
  /** CONTRACT: REDIS_URL default. */
  redisUrl: 'redis://127.0.0.1:6379',
  /** Namespace of every Redis key the hub uses; instances that share it form one hub. */
  redisKeyPrefix: 'sse-hub',
  /** CONTRACT: DATABASE_URL default; the schema and pool of the PostgreSQL broker. */
  postgres: { connectionString: 'postgres://127.0.0.1:5432/test', schema: 'sse_hub', poolSize: 10 },
  /** CONTRACT: REDIS_MIN_REPLICAS default. */
  redisMinReplicas: 0,
  /** CONTRACT: SSE_HEARTBEAT_MS default. */
  heartbeatMs: 15_000,
  /** CONTRACT: SSE_RETRY_MS default. */
  retryMs: 3_000,
  /** CONTRACT: SSE_HISTORY_SIZE default. */
  historySize: 10_000,
  maxQueuedEvents: 1_000,
  maxQueuedBytes: 1024 * 1024,
  idempotencyWindowMs: 300_000,
  subscriptionGracePeriodMs: 30_000,
  /** CONTRACT: publish bodies over 64 KiB get 413. */
  maxBodyBytes: 64 * 1024,
  maxTopicsPerClient: 1_000,
  maxConnectionsPerClient: 32,
  maxConnections: 100_000,
  publishRatePerSecond: 1_000,
  maxBatchSize: 500,
  disconnectRefusalMs: 300_000,
  presenceEvents: false,
  connectRatePerMinute: 600,
  streamEndpoint: 'http-server',
  streamMiddleware: [],
  jwtClockToleranceSeconds: 0,
  requireTokenExpiry: false,
  /** jose's own default: one refetch per 30 s at most, however many unknown `kid`s arrive. */
  jwksCooldownMs: 30_000,
  /** CONTRACT: the client id is the `sub` claim, roles `roles`, topics `topics`. */
  clientIdClaim: 'sub',
  rolesClaim: 'roles',
  topicsClaim: 'topics',
  publisherRole: 'publisher',
  metrics: false,
  lifecycleEvents: false,
} as const satisfies Required<Omit<SseModuleOptions, OptionWithoutDefault>>;

/**
 * Fills in the defaults and checks every option at once, so a bad configuration fails start-up
 * with one error that lists every problem instead of the first.
 * @throws SseOptionsError
 */
export function resolveSseOptions(options: SseModuleOptions): ResolvedSseOptions {
  const resolved: ResolvedSseOptions = {
    ...SSE_DEFAULTS,
    ...withoutUndefined(options),
    // The one nested option: its fields get their defaults one by one.
    postgres: { ...SSE_DEFAULTS.postgres, ...withoutUndefined(options.postgres ?? {}) },
  };
  const problems = (Object.keys(RULES) as (keyof ResolvedSseOptions)[])
    .map((key) => RULES[key](resolved[key], key, resolved))
    .filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) {
    throw new SseOptionsError(problems);
  }
  return resolved;
}

/** Checks one option (`value` is `options[key]`); returns the problem, if any. */
type Rule = (value: unknown, key: string, options: ResolvedSseOptions) => string | undefined;

const positiveInteger: Rule = (value, key) =>
  Number.isSafeInteger(value) && (value as number) >= 1
    ? undefined
    : `${key} must be a positive integer (got ${JSON.stringify(value)})`;

const nonNegativeInteger: Rule = (value, key) =>
  Number.isSafeInteger(value) && (value as number) >= 0
    ? undefined
    : `${key} must be a non-negative integer (got ${JSON.stringify(value)})`;

const boolean: Rule = (value, key) =>
  typeof value === 'boolean' ? undefined : `${key} must be true or false (got ${JSON.stringify(value)})`;

const oneOf =
  (allowed: readonly string[]): Rule =>
  (value, key) =>
    allowed.includes(value as string)
      ? undefined
      : `${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${JSON.stringify(value)})`;

/** A schema name that never needs quoting (the same rule as the PostgreSQL adapters'). */
const POSTGRES_SCHEMA = /^[a-z_][a-z0-9_]{0,39}$/;

/** Characters a key prefix may use: nothing that means something to a Redis glob or a log line. */
const REDIS_KEY_PREFIX = /^[A-Za-z0-9_\-.:]{1,64}$/;

/**
 * One rule per option, in the order problems are listed. The Redis options are checked whatever
 * the broker, so a typo shows before someone switches `broker` to `redis`.
 */
const RULES: { readonly [Key in keyof ResolvedSseOptions]-?: Rule } = {
  jwtSecret: (value, _key, options) => {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      return 'jwtSecret must be a non-empty string';
    }
    const keys = [options.jwtSecret, options.jwtPublicKey, options.jwksUrl].filter((key) => key !== undefined).length;
    if (keys > 1) {
      return 'give only one of jwtSecret, jwtPublicKey and jwksUrl';
    }
    return keys === 0 && options.authenticator === undefined
      ? 'one of jwtSecret, jwtPublicKey and jwksUrl is required (or an authenticator)'
      : undefined;
  },
  // The key is never echoed; only whether it can be read.
  jwtPublicKey: (value) => {
    if (value === undefined) return undefined;
    try {
      publicKeyOf(value as string | JWK);
      return undefined;
    } catch {
      return 'jwtPublicKey must be a PEM public key or a public JWK (RSA, EC P-256/P-384, Ed25519)';
    }
  },
  jwksUrl: (value) =>
    value === undefined || (typeof value === 'string' && isHttpUrl(value))
      ? undefined
      : 'jwksUrl must be an http:// or https:// URL',
  jwtAlgorithms: (value, key, { jwtSecret }) => {
    if (value === undefined) return undefined;
    const allowed: readonly string[] = jwtSecret === undefined ? PUBLIC_KEY_ALGORITHMS : SECRET_ALGORITHMS;
    return Array.isArray(value) && value.length > 0 && value.every((alg) => allowed.includes(alg as string))
      ? undefined
      : `${key} must be a non-empty list of ${allowed.join(', ')} with ${jwtSecret === undefined ? 'a public key or JWKS' : 'a secret'} (got ${JSON.stringify(value)})`;
  },
  jwtIssuer: optionalStrings,
  jwtAudience: optionalStrings,
  jwtClockToleranceSeconds: nonNegativeInteger,
  requireTokenExpiry: (value, key) => (typeof value === 'boolean' ? undefined : `${key} must be true or false`),
  maxTokenAgeSeconds: (value, key) => (value === undefined ? undefined : positiveInteger(value, key, {} as never)),
  jwksCooldownMs: nonNegativeInteger,
  clientIdClaim: claimPath,
  rolesClaim: claimPath,
  topicsClaim: claimPath,
  publisherRole: (value, key) => (typeof value === 'string' && value.length > 0 ? undefined : `${key} must be a non-empty string`),
  authenticator: (value) =>
    value === undefined || value instanceof SseAuthenticator || typeof (value as SseAuthenticator).authenticate === 'function'
      ? undefined
      : 'authenticator must have an authenticate(request) method (see SseAuthenticator)',
  broker: oneOf(SSE_BROKERS),
  streamEndpoint: oneOf(SSE_STREAM_ENDPOINTS),
  streamMiddleware: (value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'function')
      ? undefined
      : 'streamMiddleware must be an array of (request, response, next) functions',
  cors: (value) =>
    value === undefined || (typeof value === 'object' && value !== null)
      ? undefined
      : 'cors must be an object of CORS options',
  // The URL is never echoed: it may carry a password.
  redisUrl: (value) =>
    typeof value === 'string' && isRedisUrl(value) ? undefined : 'redisUrl must be a redis:// or rediss:// URL',
  redis: (value) => (value === undefined ? undefined : redisTopologyProblem(value)),
  redisMinReplicas: nonNegativeInteger,
  redisKeyPrefix: (value) =>
    typeof value === 'string' && REDIS_KEY_PREFIX.test(value)
      ? undefined
      : `redisKeyPrefix must be 1-64 characters of letters, digits and _ - . : (got ${JSON.stringify(value)})`,
  // The URL is never echoed either. Checked whatever the broker, as the Redis options are.
  postgres: (value) => {
    const { connectionString, schema, poolSize } = value as Required<SsePostgresOptions>;
    const problems = [
      typeof connectionString === 'string' && isPostgresUrl(connectionString)
        ? undefined
        : 'postgres.connectionString must be a postgres:// or postgresql:// URL',
      typeof schema === 'string' && POSTGRES_SCHEMA.test(schema)
        ? undefined
        : `postgres.schema must be a lowercase identifier of at most 40 letters, digits and _ (got ${JSON.stringify(schema)})`,
      Number.isSafeInteger(poolSize) && poolSize >= 1 && poolSize <= 1_000
        ? undefined
        : `postgres.poolSize must be an integer from 1 to 1000 (got ${JSON.stringify(poolSize)})`,
    ].filter((problem) => problem !== undefined);
    return problems.length > 0 ? problems.join('; ') : undefined;
  },
  // With Redis (or PostgreSQL), one stream (or table) is both the history and the live feed: an
  // event only reaches other instances by being appended to it. A custom history with the
  // built-in transport (or the other way round) would accept events no instance ever delivers.
  adapters: (_value, _key, { broker, adapters }) =>
    broker !== 'memory' && adapters && !adapters.history !== !adapters.transport
      ? `adapters.history and adapters.transport must be given together with broker '${broker}'`
      : undefined,
  heartbeatMs: positiveInteger,
  historySize: positiveInteger,
  maxQueuedEvents: positiveInteger,
  maxBodyBytes: positiveInteger,
  maxQueuedBytes: (value, key, options) =>
    positiveInteger(value, key, options) ??
    ((value as number) < options.maxBodyBytes
      ? `${key} must be at least maxBodyBytes (${options.maxBodyBytes}), so one event of the largest size fits (got ${value})`
      : undefined),
  idempotencyWindowMs: positiveInteger,
  maxTopicsPerClient: positiveInteger,
  maxConnectionsPerClient: positiveInteger,
  maxConnections: positiveInteger,
  retryMs: nonNegativeInteger,
  subscriptionGracePeriodMs: nonNegativeInteger,
  publishRatePerSecond: nonNegativeInteger,
  maxBatchSize: positiveInteger,
  disconnectRefusalMs: positiveInteger,
  presenceEvents: boolean,
  connectRatePerMinute: nonNegativeInteger,
  trustProxy: (value) => {
    if (value === undefined) return undefined;
    const problem =
      typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' || Array.isArray(value)
        ? trustProxyProblem(value as TrustProxySetting)
        : 'it is not a boolean, hop count, string or list';
    return problem === undefined ? undefined : `trustProxy must be a value Express's trust proxy accepts: ${problem}`;
  },
  metrics: boolean,
  lifecycleEvents: boolean,
};

function optionalStrings(value: unknown, key: string): string | undefined {
  const values = typeof value === 'string' ? [value] : value;
  return value === undefined || (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string' && v !== ''))
    ? undefined
    : `${key} must be a non-empty string or list of strings`;
}

function claimPath(value: unknown, key: string): string | undefined {
  return typeof value === 'string' && value.length > 0 && !value.startsWith('.') && !value.endsWith('.')
    ? undefined
    : `${key} must be a claim name or dotted path such as realm_access.roles (got ${JSON.stringify(value)})`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

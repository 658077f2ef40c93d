/** Reads an integer variable; unset means the default, anything else must be an integer. */
export function intFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`sse-hub: ${name} must be an integer (got "${raw}")`);
  }
  return value;
}

/** Reads an on/off flag: 1/true/on/yes or 0/false/off/no; unset means `fallback`. */
export function flagFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new Error(`sse-hub: ${name} must be on or off (got "${env[name]}")`);
}

export const isProduction = (env: NodeJS.ProcessEnv): boolean => env.NODE_ENV === 'production';

/**
 * Dev tokens are on by default outside production, and never on in production, nor when tokens
 * come from an identity provider (the hub then has no secret to sign them with).
 */
export const devTokensEnabled = (env: NodeJS.ProcessEnv): boolean =>
  !isProduction(env) && !env.JWT_PUBLIC_KEY && !env.JWT_JWKS_URL && flagFromEnv(env, 'SSE_DEV_TOKENS', true);

/**
 * The OpenAPI docs (`/docs`, `/docs-json`): on by default outside production only. In production
 * they would hand anyone a map of every route and body; `SSE_API_DOCS=on` serves them anyway.
 */
export const apiDocsEnabled = (env: NodeJS.ProcessEnv): boolean =>
  flagFromEnv(env, 'SSE_API_DOCS', !isProduction(env));

/** The access log is on unless `SSE_ACCESS_LOG=off`; it never carries a token. */
export const accessLogEnabled = (env: NodeJS.ProcessEnv): boolean => flagFromEnv(env, 'SSE_ACCESS_LOG', true);

/** The demo page's live figures: on by default outside production, off with `SSE_DEMO_FEED=off`. */
export const demoFeedEnabled = (env: NodeJS.ProcessEnv): boolean =>
  flagFromEnv(env, 'SSE_DEMO_FEED', !isProduction(env));

/** How often the demo feed publishes (`SSE_DEMO_FEED_MS`, default 2000). */
export function demoFeedIntervalMs(env: NodeJS.ProcessEnv): number {
  const ms = intFromEnv(env, 'SSE_DEMO_FEED_MS') ?? 2_000;
  if (ms < 100) {
    throw new Error(`sse-hub: SSE_DEMO_FEED_MS must be at least 100 (got ${ms})`);
  }
  return ms;
}

/** How the app logs: `LOG_FORMAT=json` (one JSON object per line) or `text`; JSON in production. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv): 'json' | 'text' {
  const raw = env.LOG_FORMAT?.trim().toLowerCase();
  if (raw === undefined || raw === '') {
    return isProduction(env) ? 'json' : 'text';
  }
  if (raw === 'json' || raw === 'text') {
    return raw;
  }
  throw new Error(`sse-hub: LOG_FORMAT must be json or text (got "${env.LOG_FORMAT}")`);
}

/**
 * `TRUST_PROXY`: which proxies to believe about the client's address, as Express's `trust proxy`
 * takes it: `true`/`false`, a hop count, or `loopback`, `uniquelocal`, addresses and CIDRs
 * (comma-separated). Unset: no proxy is trusted. A bad value fails start-up (the module checks it).
 */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv): boolean | number | string | undefined {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/**
 * The PostgreSQL broker's settings (`SSE_BROKER=postgres`): `DATABASE_URL` (default
 * `postgres://127.0.0.1:5432/test`), `SSE_POSTGRES_SCHEMA` (default `sse_hub`) and
 * `SSE_POSTGRES_POOL_SIZE` (default 10). Read whatever the broker, as REDIS_URL is, so a bad value
 * fails start-up rather than the day PostgreSQL is enabled; unset ones take the module's defaults.
 */
export function postgresFromEnv(env: NodeJS.ProcessEnv): {
  connectionString?: string;
  schema?: string;
  poolSize?: number;
} {
  return {
    connectionString: env.DATABASE_URL || undefined,
    schema: env.SSE_POSTGRES_SCHEMA || undefined,
    poolSize: intFromEnv(env, 'SSE_POSTGRES_POOL_SIZE'),
  };
}

import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/bootstrap.js';
import type { Broker } from './brokers.js';
import { dropPostgresSchema, SHARED_POSTGRES_URL, uniquePostgresSchema } from './postgres.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './redis.js';
import { TEST_SECRET } from './tokens.js';

export interface TestApp {
  readonly app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:43210 */
  readonly url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Which broker the app runs on. */
  readonly broker?: Broker;
  /** Environment variables for this app, on top of the test defaults. */
  readonly env?: Record<string, string>;
  /**
   * With the redis broker: the key prefix. Apps given the same prefix (and Redis) form one hub,
   * and the test deletes the prefix's keys itself. Without it each app gets a fresh prefix,
   * deleted when the app closes.
   */
  readonly redisPrefix?: string;
  /** With the redis broker: which Redis (default: the shared one on 127.0.0.1:6379). */
  readonly redisUrl?: string;
  /**
   * With the postgres broker: the schema. Apps given the same schema (and database) form one
   * hub, and the test drops the schema itself. Without it each app gets a fresh schema, dropped
   * when the app closes.
   */
  readonly postgresSchema?: string;
  /** With the postgres broker: which database (default: the shared one, database `test`). */
  readonly databaseUrl?: string;
}

/**
 * Starts the reference app, configured from the environment exactly as `npm start` is, on a free
 * port of 127.0.0.1. The environment is set only while the app is built.
 */
export async function createTestApp({
  broker = 'memory',
  env = {},
  redisPrefix,
  redisUrl = SHARED_REDIS_URL,
  postgresSchema,
  databaseUrl = SHARED_POSTGRES_URL,
}: TestAppOptions = {}): Promise<TestApp> {
  const ownPrefix =
    broker === 'redis' && redisPrefix === undefined ? uniqueRedisPrefix('app') : undefined;
  const ownSchema =
    broker === 'postgres' && postgresSchema === undefined ? uniquePostgresSchema('app') : undefined;
  const settings: Record<string, string> = {
    JWT_SECRET: TEST_SECRET,
    NODE_ENV: 'test',
    SSE_DEMO_FEED: 'off',
    SSE_BROKER: broker,
    ...(broker === 'redis'
      ? { REDIS_URL: redisUrl, SSE_REDIS_PREFIX: (redisPrefix ?? ownPrefix) as string }
      : {}),
    ...(broker === 'postgres'
      ? { DATABASE_URL: databaseUrl, SSE_POSTGRES_SCHEMA: (postgresSchema ?? ownSchema) as string }
      : {}),
    ...env,
  };
  const app = await withEnvironment(settings, async () => {
    const built = await createApp({ logger: ['error'] });
    await built.listen(0, '127.0.0.1');
    return built;
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const close = async (): Promise<void> => {
    await app.close();
    if (ownPrefix !== undefined) {
      await deleteRedisPrefix(ownPrefix, redisUrl);
    }
    if (ownSchema !== undefined) {
      await dropPostgresSchema(ownSchema, databaseUrl);
    }
  };
  return { app, url, close };
}

/** The build under way, if any: apps are built one at a time (see `withEnvironment`). */
let building: Promise<unknown> = Promise.resolve();

/**
 * Runs `build` with `settings` in process.env, then puts the environment back. One at a time:
 * two apps built at once (Promise.all) would each save the other's settings as "the original"
 * and restore them, leaking one test's variables (REDIS_CLUSTER_NODES...) into every later app.
 */
function withEnvironment<T>(settings: Record<string, string>, build: () => Promise<T>): Promise<T> {
  const run = building.then(async () => {
    const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
    Object.assign(process.env, settings);
    try {
      return await build();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
  building = run.catch(() => undefined);
  return run;
}

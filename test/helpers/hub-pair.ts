import { createTestApp, type TestApp } from './app.factory.js';
import type { Broker } from './brokers.js';
import { dropPostgresSchema, uniquePostgresSchema } from './postgres.js';
import { deleteRedisPrefix, uniqueRedisPrefix } from './redis.js';

/** Two instances of one hub: `a` and `b`, and how to stop both. */
export interface HubPair {
  readonly a: TestApp;
  readonly b: TestApp;
  close(): Promise<void>;
}

/**
 * Two instances on one Redis and key prefix, or one PostgreSQL database and schema (one hub), for suites that show a feature works across
 * instances; on the memory broker, one instance standing for both (`a === b`), so the same suite
 * runs on the embedded hub.
 */
export async function startHubPair(broker: Broker, env: Record<string, string> = {}): Promise<HubPair> {
  if (broker === 'memory') {
    const a = await createTestApp({ broker, env });
    return { a, b: a, close: () => a.close() };
  }
  if (broker === 'postgres') {
    const schema = uniquePostgresSchema('pair');
    const [a, b] = await Promise.all([
      createTestApp({ broker, env, postgresSchema: schema }),
      createTestApp({ broker, env, postgresSchema: schema }),
    ]);
    return {
      a,
      b,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
        await dropPostgresSchema(schema);
      },
    };
  }
  const prefix = uniqueRedisPrefix('pair');
  const [a, b] = await Promise.all([
    createTestApp({ broker, env, redisPrefix: prefix }),
    createTestApp({ broker, env, redisPrefix: prefix }),
  ]);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await deleteRedisPrefix(prefix);
    },
  };
}

import {
  dropPostgresSchema,
  SHARED_POSTGRES_URL,
  uniquePostgresSchema,
} from '../../../test/helpers/postgres.js';
import {
  deleteRedisPrefix,
  SHARED_REDIS_URL,
  uniqueRedisPrefix,
} from '../../../test/helpers/redis.js';
import { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
import { InMemoryEventTransportAdapter } from './adapters/in-memory/in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from './adapters/in-memory/in-memory-subscription-registry.adapter.js';
import { PostgresEventStreamAdapter } from './adapters/postgres/postgres-event-stream.adapter.js';
import { PostgresSubscriptionRegistryAdapter } from './adapters/postgres/postgres-subscription-registry.adapter.js';
import { RedisEventStreamAdapter } from './adapters/redis/redis-event-stream.adapter.js';
import { RedisSubscriptionRegistryAdapter } from './adapters/redis/redis-subscription-registry.adapter.js';
import { ClosedTransportError, parseClientId, parseEventType, toEveryone } from './domain/index.js';
import { SseAdapterSet } from './sse-adapter-set.js';
import { resolveSseOptions } from './sse-resolved-options.js';

describe('SseAdapterSet', () => {
  it('builds the in-memory adapters by default, with no broker health to report', async () => {
    const set = await SseAdapterSet.create(resolveSseOptions({ jwtSecret: 's' }));
    expect(set.history).toBeInstanceOf(InMemoryEventHistoryAdapter);
    expect(set.transport).toBeInstanceOf(InMemoryEventTransportAdapter);
    expect(set.registry).toBeInstanceOf(InMemorySubscriptionRegistryAdapter);
    expect(set.health).toBeUndefined();
    await set.onApplicationShutdown();
  });

  describe("with broker 'redis'", () => {
    const prefix = uniqueRedisPrefix('factory');
    afterAll(() => deleteRedisPrefix(prefix));
    const redisOptions = () =>
      resolveSseOptions({
        jwtSecret: 's',
        broker: 'redis',
        redisUrl: SHARED_REDIS_URL,
        redisKeyPrefix: prefix,
      });

    it('uses one Redis stream as history and transport, reports its health, and closes what it opened', async () => {
      const set = await SseAdapterSet.create(redisOptions());
      try {
        await set.onModuleInit();
        expect(set.history).toBeInstanceOf(RedisEventStreamAdapter);
        expect(set.transport).toBe(set.history);
        expect(set.registry).toBeInstanceOf(RedisSubscriptionRegistryAdapter);
        expect(set.health).toBe(set.history);
        // Ready at once after start-up: health is up and the first publish needs no warm-up.
        await expect(set.health?.checkHealth()).resolves.toMatchObject({
          up: true,
          details: { broker: 'redis' },
        });
        await expect(
          set.history.append({ type: parseEventType('e'), data: 1, target: toEveryone() }),
        ).resolves.toMatchObject({
          id: expect.stringMatching(/^\d+-\d+$/),
        });
      } finally {
        await set.onApplicationShutdown();
      }
      await expect(set.history.headId()).rejects.toBeInstanceOf(ClosedTransportError);
      await expect(set.registry.list(parseClientId('x'))).rejects.toBeInstanceOf(
        ClosedTransportError,
      );
    });

    it('uses adapters it is given, and leaves them open', async () => {
      const registry = new InMemorySubscriptionRegistryAdapter(1_000);
      const transport = new InMemoryEventTransportAdapter();
      const history = new InMemoryEventHistoryAdapter(10);
      const set = await SseAdapterSet.create(
        resolveSseOptions({ ...redisOptions(), adapters: { history, transport, registry } }),
      );
      expect([set.history, set.transport, set.registry, set.health]).toEqual([
        history,
        transport,
        registry,
        undefined,
      ]);
      await set.onApplicationShutdown();
      const event = await history.append({
        type: parseEventType('e'),
        data: 1,
        target: toEveryone(),
      });
      await expect(transport.publish(event)).resolves.toBeUndefined();
    });
  });

  describe("with broker 'postgres'", () => {
    const schema = uniquePostgresSchema('factory');
    afterAll(() => dropPostgresSchema(schema));

    it('uses one table as history and transport, creates its schema, reports its health, and closes what it opened', async () => {
      const set = await SseAdapterSet.create(
        resolveSseOptions({
          jwtSecret: 's',
          broker: 'postgres',
          postgres: { connectionString: SHARED_POSTGRES_URL, schema, poolSize: 3 },
        }),
      );
      try {
        await set.onModuleInit();
        expect(set.history).toBeInstanceOf(PostgresEventStreamAdapter);
        expect(set.transport).toBe(set.history);
        expect(set.registry).toBeInstanceOf(PostgresSubscriptionRegistryAdapter);
        expect(set.health).toBe(set.history);
        await expect(set.health?.checkHealth()).resolves.toMatchObject({
          up: true,
          details: { broker: 'postgres', listener: 'listening' },
        });
        await expect(
          set.history.append({ type: parseEventType('e'), data: 1, target: toEveryone() }),
        ).resolves.toMatchObject({ id: expect.stringMatching(/^\d+-\d+$/) });
      } finally {
        await set.onApplicationShutdown();
      }
      await expect(set.history.headId()).rejects.toBeInstanceOf(ClosedTransportError);
      await expect(set.registry.list(parseClientId('x'))).rejects.toBeInstanceOf(ClosedTransportError);
    });
  });
});

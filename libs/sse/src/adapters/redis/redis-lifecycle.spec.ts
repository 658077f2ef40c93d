import { Redis } from 'ioredis';
import {
  RedisTestHub,
  type RedisTestInstance,
} from '../../../../../test/helpers/redis-adapters.js';
import { PrivateRedisServer } from '../../../../../test/helpers/redis-server.js';
import {
  BEGINNING,
  ClosedTransportError,
  parseClientId,
  parseEventType,
  parseTopic,
  toEveryone,
  toTopic,
  type SubscriptionChange,
} from '../../domain/index.js';
import { eventually } from '../../testing/hub-fixture.js';

/**
 * What the Redis adapters open and close, on a private redis-server so connections and keys
 * can be counted: one reader per process, keys only under the prefix, ClosedTransportError after
 * close, and an instance that leaves (or crashes) lets go of its clients.
 */
describe('Redis adapters: lifecycle', () => {
  let server: PrivateRedisServer;
  let admin: Redis;
  let hub: RedisTestHub;

  beforeAll(async () => {
    server = await PrivateRedisServer.start();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });
  beforeEach(() => {
    hub = new RedisTestHub(server.url);
  });
  afterEach(() => hub.close());

  const connectionNames = async (): Promise<string[]> =>
    String(await admin.client('LIST'))
      .split('\n')
      .map((line) => /name=(\S*)/.exec(line)?.[1] ?? '')
      .filter((name) => name.startsWith('sse-hub:'))
      .sort();

  it('holds one publisher and one reader per process, however many handlers and streams', async () => {
    const a = await hub.instance();
    for (let i = 0; i < 20; i++) {
      a.stream.subscribe(() => undefined);
      a.registry.watch(() => undefined);
      await a.registry.connectionOpened(parseClientId(`client-${i}`));
    }
    expect(await connectionNames()).toEqual(['sse-hub:publisher', 'sse-hub:reader']);
    await hub.instance();
    expect(await connectionNames()).toEqual([
      'sse-hub:publisher',
      'sse-hub:publisher',
      'sse-hub:reader',
      'sse-hub:reader',
    ]);
  });

  it('keeps every key under its prefix', async () => {
    const a = await hub.instance({ gracePeriodMs: 50 });
    const client = parseClientId('keys');
    await a.registry.connectionOpened(client);
    await a.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
    await a.stream.append({ type: parseEventType('e'), data: 1, target: toTopic(parseTopic('t')) });
    const keys = await admin.keys('*');
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((key) => !key.startsWith(`{${hub.prefix}}:`))).toEqual([]);
    await a.registry.connectionClosed(client);
  });

  it('closes both connections, after which every call throws ClosedTransportError', async () => {
    const a = await hub.instance();
    const event = await a.stream.append({
      type: parseEventType('e'),
      data: 1,
      target: toEveryone(),
    });
    await a.close();
    await eventually(
      async () => (await connectionNames()).length === 0,
      'both connections to close',
    );
    const client = parseClientId('closed');
    const calls: (() => unknown)[] = [
      () => a.stream.append({ type: parseEventType('e'), data: 1, target: toEveryone() }),
      () => a.stream.readAfter(BEGINNING, 10),
      () => a.stream.headId(),
      () => a.stream.publish(event),
      () => a.stream.subscribe(() => undefined),
      () => a.registry.add(client, []),
      () => a.registry.remove(client, []),
      () => a.registry.list(client),
      () => a.registry.connectionOpened(client),
      () => a.registry.connectionClosed(client),
      () => a.registry.watch(() => undefined),
    ];
    for (const call of calls) {
      await expect(Promise.resolve().then(call)).rejects.toBeInstanceOf(ClosedTransportError);
    }
    await expect(a.stream.checkHealth()).resolves.toMatchObject({ up: false });
  });

  it('lets go of its clients when it closes, so their grace period starts then', async () => {
    const a = await hub.instance({ gracePeriodMs: 200 });
    const b = await hub.instance({ gracePeriodMs: 200 });
    const changes: SubscriptionChange[] = [];
    b.registry.watch((change) => changes.push(change));
    const client = parseClientId('leaving');
    await a.registry.connectionOpened(client);
    await b.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
    await a.close();
    await eventually(
      () => changes.some((change) => change.kind === 'expired'),
      'the expiry',
      3_000,
    );
    await expect(b.registry.list(client)).resolves.toEqual([]);
  });

  it('names one expiry the same on every instance, so a host hook that runs on each can de-duplicate', async () => {
    const a = await hub.instance({ gracePeriodMs: 200 });
    const b = await hub.instance({ gracePeriodMs: 200 });
    const heard: SubscriptionChange[][] = [[], []];
    a.registry.watch((change) => heard[0].push(change));
    b.registry.watch((change) => heard[1].push(change));
    const client = parseClientId('expiring-once');
    await a.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
    const expiry = (changes: SubscriptionChange[]) => changes.find((change) => change.kind === 'expired');
    await eventually(() => heard.every((changes) => expiry(changes) !== undefined), 'the expiry on both', 3_000);
    const [onA, onB] = heard.map(expiry) as Extract<SubscriptionChange, { kind: 'expired' }>[];
    expect(onA.expiryId).toEqual(expect.any(String));
    expect(onB.expiryId).toBe(onA.expiryId);
  });

  it('lets go of the clients of a crashed instance once its lease has run out', async () => {
    const options = { gracePeriodMs: 200, leaseMs: 300 };
    const crashed: RedisTestInstance = await hub.instance(options);
    const b = await hub.instance(options);
    const client = parseClientId('on-a-crashed-instance');
    await crashed.registry.connectionOpened(client);
    await b.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
    // A crash: the connections drop without the instance saying goodbye.
    crashed.redis.publisher.disconnect();
    crashed.redis.reader.disconnect();
    const since = Date.now();
    await eventually(async () => (await b.registry.list(client)).length === 0, 'the expiry', 5_000);
    // Not before the lease (300) ran out and the grace period (200) passed after it.
    expect(Date.now() - since).toBeGreaterThanOrEqual(400);
  });
});

import { Redis } from 'ioredis';
import {
  RedisTestHub,
  type RedisTestInstance,
} from '../../../../../test/helpers/redis-adapters.js';
import { PrivateRedisServer } from '../../../../../test/helpers/redis-server.js';
import {
  BrokerUnavailableError,
  parseClientId,
  parseEventType,
  parseTopic,
  toEveryone,
  type EventDraft,
  type HubEvent,
} from '../../domain/index.js';
import { elapse, eventually } from '../../testing/hub-fixture.js';
import { COMMAND_TIMEOUT_MS } from './redis-connections.js';
import { redisKeys } from './redis-keys.js';

/**
 * Redis going away and coming back, on a private redis-server (never the shared one): calls fail
 * fast instead of being accepted and lost, health says so, and everything resumes by itself.
 */
describe('Redis adapters when Redis goes away', () => {
  let server: PrivateRedisServer;
  let hub: RedisTestHub;
  let a: RedisTestInstance;
  let b: RedisTestInstance;

  const draft = (n: number): EventDraft => ({
    type: parseEventType('tick'),
    data: { n },
    target: toEveryone(),
  });
  const record = (instance: RedisTestInstance): HubEvent[] => {
    const events: HubEvent[] = [];
    instance.stream.subscribe((event) => events.push(event));
    return events;
  };
  const dataOf = (events: HubEvent[]): unknown[] => events.map((event) => event.data);

  beforeEach(async () => {
    server = await PrivateRedisServer.start();
    hub = new RedisTestHub(server.url);
    a = await hub.instance({ gracePeriodMs: 300, leaseMs: 3_000 });
    b = await hub.instance({ gracePeriodMs: 300, leaseMs: 3_000 });
  });

  afterEach(async () => {
    await hub.close();
    await server.stop();
  });

  /** Cuts the connection of the `count` newest readers (b's first): ioredis reconnects them. */
  async function killReaders(count: number): Promise<void> {
    const admin = new Redis(server.url);
    try {
      const readers = String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => line.includes('name=sse-hub:reader'))
        .map((line) => Number(/id=(\d+)/.exec(line)?.[1]))
        .sort((x, y) => y - x)
        .slice(0, count);
      expect(readers).toHaveLength(count);
      for (const id of readers) {
        await admin.client('KILL', 'ID', String(id));
      }
    } finally {
      admin.disconnect();
    }
  }

  it('refuses publishes fast while Redis is down, reports down, and recovers by itself', async () => {
    const onB = record(b);
    await a.stream.append(draft(1));
    await eventually(() => onB.length === 1, 'the first event on b');
    await expect(a.stream.checkHealth()).resolves.toMatchObject({ up: true });

    await server.stop();
    await eventually(async () => !(await a.stream.checkHealth()).up, 'health to report down');
    const started = Date.now();
    await expect(a.stream.append(draft(2))).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(
      a.registry.add(parseClientId('c'), [{ topic: parseTopic('t'), since: '0-0' }]),
    ).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(b.stream.headId()).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS);

    await server.restart();
    await eventually(async () => (await a.stream.checkHealth()).up, 'health to report up', 10_000);
    const accepted = await eventually(
      () => a.stream.append(draft(3)).catch(() => undefined),
      'a publish to be accepted again',
      10_000,
    );
    await eventually(
      () => onB.some((event) => event.id === accepted.id),
      'the new event on b',
      10_000,
    );
    // The refused event never shows up; nothing arrives twice.
    expect(dataOf(onB)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('resumes a reader whose connection was cut where it stopped: no gap, no duplicate', async () => {
    const onA = record(a);
    const onB = record(b);
    await a.stream.append(draft(0));
    await eventually(() => onA.length === 1 && onB.length === 1, 'the first event everywhere');

    // Cut both readers (the publishers stay) and publish while they reconnect.
    await killReaders(2);
    for (let n = 1; n <= 20; n++) {
      await (n % 2 ? a : b).stream.append(draft(n));
    }

    const expected = Array.from({ length: 21 }, (_, n) => ({ n }));
    for (const seen of [onA, onB]) {
      await eventually(() => seen.length >= 21, 'all 21 events', 10_000);
      expect(dataOf(seen)).toEqual(expected);
    }
  });

  it('hands subscription changes and events over in one id order, even when they arrive in one read', async () => {
    const log: string[] = [];
    b.stream.subscribe((event) => log.push(`event ${String((event.data as { n: number }).n)}`));
    b.registry.watch((change) => log.push(change.kind));
    await a.stream.append(draft(0));
    await eventually(() => log.length === 1, 'the first event on b');

    // With b's reader cut off, everything below waits in Redis and reaches b in one read.
    await killReaders(1);
    const client = parseClientId('racer');
    await a.registry.connectionOpened(client);
    await a.registry.add(client, [{ topic: parseTopic('t'), since: '0-0' }]);
    await a.stream.append(draft(1));
    await a.registry.remove(client, [parseTopic('t')]);
    await a.stream.append(draft(2));
    await a.registry.add(client, [{ topic: parseTopic('u'), since: '0-0' }]);

    await eventually(() => log.length === 6, 'everything on b', 10_000);
    expect(log).toEqual(['event 0', 'added', 'event 1', 'removed', 'event 2', 'added']);
    await a.registry.connectionClosed(client);
  });

  it('writes the presence it could not write during the outage once Redis is back', async () => {
    const client = parseClientId('tab-opened-during-outage');
    await server.stop();
    await expect(a.registry.connectionOpened(client)).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );

    // Redis is back, empty (no persistence). The connection on a is still open: a writes it
    // again on its own.
    await server.restart();
    const admin = new Redis(server.url);
    try {
      const presence = redisKeys(hub.prefix).presence(client);
      await eventually(async () => (await admin.exists(presence)) === 1, "a's presence", 10_000);
    } finally {
      admin.disconnect();
    }
    await eventually(
      () =>
        b.registry
          .add(client, [{ topic: parseTopic('kept'), since: '0-0' }])
          .catch(() => undefined),
      'a subscription to be accepted again',
      10_000,
    );
    await elapse(900); // three grace periods: held by a's connection, they must not expire
    expect((await b.registry.list(client)).map((s) => s.topic)).toEqual(['kept']);

    await a.registry.connectionClosed(client);
    await eventually(
      async () => (await b.registry.list(client)).length === 0,
      'expiry after the close',
    );
  });
});

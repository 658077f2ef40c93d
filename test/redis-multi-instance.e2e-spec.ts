import { compareEventIds } from 'nestjs-sse-hub';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { deleteRedisPrefix, uniqueRedisPrefix } from './helpers/redis.js';
import { PrivateRedisServer } from './helpers/redis-server.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** Two instances of the reference app on one Redis and one key prefix: one hub. */
describe('Two instances on one Redis (SSE_BROKER=redis)', () => {
  const publisher = publisherToken();
  const open: SseReader[] = [];
  const stream = async (hub: TestApp, sub: string, headers: Record<string, string> = {}) => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub }), headers });
    open.push(reader);
    return reader;
  };
  afterEach(() => open.splice(0).forEach((reader) => reader.close()));

  describe('on the shared Redis', () => {
    const prefix = uniqueRedisPrefix('multi');
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      [a, b] = await Promise.all([
        createTestApp({ broker: 'redis', redisPrefix: prefix }),
        createTestApp({ broker: 'redis', redisPrefix: prefix }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await deleteRedisPrefix(prefix);
    });

    it('delivers client, topic and broadcast events published on one instance to connections on both, once each', async () => {
      const onA = await stream(a, 'ann');
      const onB = await stream(b, 'ann'); // a second tab, on the other instance
      const other = await stream(b, 'ben');
      await request(a.url, 'POST', '/sse/subscriptions', {
        token: token({ sub: 'ben' }),
        body: { topics: ['room/1'] },
      });

      const toAnn = await publish(b.url, publisher, 'clients/ann', 'note', { to: 'ann' });
      const toRoom = await publish(a.url, publisher, 'topics/room/1', 'chat', { to: 'room' });
      const toAll = await publish(a.url, publisher, 'broadcast', 'all', { to: 'all' });
      expect([toAnn.status, toRoom.status, toAll.status]).toEqual([202, 202, 202]);

      for (const reader of [onA, onB, other]) {
        await reader.waitForEvents('all', 1);
      }
      expect(onA.events.slice(1)).toEqual([
        { id: toAnn.body.id, event: 'note', data: '{"to":"ann"}' },
        { id: toAll.body.id, event: 'all', data: '{"to":"all"}' },
      ]);
      expect(onB.events.slice(1)).toEqual(onA.events.slice(1));
      expect(other.events.slice(1)).toEqual([
        { id: toRoom.body.id, event: 'chat', data: '{"to":"room"}' },
        { id: toAll.body.id, event: 'all', data: '{"to":"all"}' },
      ]);
    });

    it('applies a subscription made through A before a topic event published through B right after it', async () => {
      const onB = await stream(b, 'cleo');
      const subscriber = token({ sub: 'cleo' });
      for (let round = 0; round < 15; round++) {
        const topic = `race/${round}`;
        const subscribed = await request(a.url, 'POST', '/sse/subscriptions', {
          token: subscriber,
          body: { topics: [topic] },
        });
        expect(subscribed.status).toBe(200);
        const receipt = await publish(b.url, publisher, `topics/${topic}`, 'race', { round });
        // B counted the delivery while fanning the event out: the subscription was already
        // in its local index, whatever the timing between the two instances.
        expect(receipt.body.delivered).toBe(1);
      }
      const got = await onB.waitForEvents('race', 15);
      expect(got.map((event) => JSON.parse(event.data).round)).toEqual([...Array(15).keys()]);
      await expect(
        request(b.url, 'GET', '/sse/subscriptions', { token: subscriber }),
      ).resolves.toMatchObject({
        body: { topics: expect.arrayContaining(['race/0', 'race/14']) },
      });
    });

    it('orders ids across both instances: every stream sees one strictly increasing sequence', async () => {
      const onA = await stream(a, 'dora');
      const onB = await stream(b, 'dora');
      const receipts = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          publish(i % 2 ? a.url : b.url, publisher, 'clients/dora', 'tick', { i }),
        ),
      );
      expect(receipts.every((receipt) => receipt.status === 202)).toBe(true);
      const accepted = receipts.map((receipt) => receipt.body.id).sort(compareEventIds);
      expect(new Set(accepted).size).toBe(60);
      for (const reader of [onA, onB]) {
        const ids = (await reader.waitForEvents('tick', 60)).map((event) => event.id as string);
        expect(ids).toEqual(accepted);
      }
    });

    it('resumes on B from an id a stream on A gave: recovered, with exactly the missed events', async () => {
      const first = await stream(a, 'eve');
      for (let i = 1; i <= 3; i++) {
        await publish(a.url, publisher, 'clients/eve', 'seen', { i });
      }
      const seen = await first.waitForEvents('seen', 3);
      first.close();
      const missed = [];
      for (let i = 4; i <= 6; i++) {
        missed.push(
          (await publish(a.url, publisher, i % 2 ? 'clients/eve' : 'broadcast', 'missed', { i }))
            .body.id,
        );
      }
      await publish(a.url, publisher, 'clients/someone-else', 'not-for-eve', {});

      const resumed = await stream(b, 'eve', { 'last-event-id': seen[2].id as string });
      expect(resumed.greeting.recovered).toBe(true);
      const replayed = await resumed.waitForEvents('missed', 3);
      expect(replayed.map((event) => [event.id, JSON.parse(event.data).i])).toEqual([
        [missed[0], 4],
        [missed[1], 5],
        [missed[2], 6],
      ]);
      const live = await publish(a.url, publisher, 'clients/eve', 'live', {});
      const [after] = await resumed.waitForEvents('live', 1);
      expect(after.id).toBe(live.body.id);
      expect(resumed.events.map((event) => event.event)).toEqual([
        'connected',
        'missed',
        'missed',
        'missed',
        'live',
      ]);
    });
  });

  describe('when Redis goes away and comes back (private redis-server)', () => {
    let server: PrivateRedisServer;
    let c: TestApp;
    let d: TestApp;

    beforeAll(async () => {
      server = await PrivateRedisServer.start();
      const options = {
        broker: 'redis' as const,
        redisUrl: server.url,
        redisPrefix: uniqueRedisPrefix('outage'),
        env: { SSE_HEARTBEAT_MS: '200', SSE_SUBSCRIPTION_GRACE_MS: '300' },
      };
      [c, d] = await Promise.all([createTestApp(options), createTestApp(options)]);
    });
    afterAll(async () => {
      await Promise.all([c?.close(), d?.close()]);
      await server.stop();
    });

    it('answers 503 meanwhile, keeps open streams alive with heartbeats, then goes on without losing an accepted event', async () => {
      const onD = await stream(d, 'fay');
      const acknowledged: string[] = [];
      const send = async (i: number) => {
        const receipt = await publish(c.url, publisher, 'clients/fay', 'tick', { i });
        if (receipt.status === 202) acknowledged.push(receipt.body.id);
        return receipt;
      };
      expect((await send(1)).status).toBe(202);
      await onD.waitForEvents('tick', 1);

      await server.stop();
      const refused = await send(2);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(refused.text).not.toContain(String(server.port));
      const heartbeats = onD.comments.length;
      await waitFor(() => onD.comments.length >= heartbeats + 2, {
        what: 'heartbeats during the outage',
      });

      await server.restart();
      await waitFor(async () => (await send(3)).status === 202, {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'a publish to be accepted again',
      });
      await send(4);
      await waitFor(() => acknowledged.every((id) => onD.events.some((event) => event.id === id)), {
        timeoutMs: 10_000,
        what: 'every acknowledged event on the stream that stayed open',
      });
      const ticks = onD.ofType('tick').map((event) => event.id);
      expect(ticks).toEqual(acknowledged);
      expect(onD.ofType('connected')).toHaveLength(1); // the same stream all along
    });

    it('does not let a stream that failed during the outage hold the client’s topics afterwards', async () => {
      await server.stop();
      const failed = await connect(`${c.url}/sse`, { token: token({ sub: 'gil' }) }).catch(
        () => undefined,
      );
      failed?.close();
      await server.restart();
      const gil = token({ sub: 'gil' });
      await waitFor(
        async () =>
          (
            await request(c.url, 'POST', '/sse/subscriptions', {
              token: gil,
              body: { topics: ['t'] },
            })
          ).status === 200,
        { timeoutMs: 10_000, intervalMs: 100, what: 'a subscription to be accepted again' },
      );
      // gil has no stream anywhere: the topic goes after the grace period (300 ms).
      await waitFor(
        async () =>
          (await request(d.url, 'GET', '/sse/subscriptions', { token: gil })).body?.topics
            ?.length === 0,
        { timeoutMs: 5_000, intervalMs: 50, what: 'the topics to expire' },
      );
    });
  });
});

import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { startHubPair } from './helpers/hub-pair.js';
import { uniqueRedisPrefix } from './helpers/redis.js';
import { PrivateRedisServer } from './helpers/redis-server.js';
import { PrivateRedisCluster } from './helpers/redis-topologies.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { sharedHubSuite } from './helpers/shared-hub-suite.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** Two instances of the reference app on one Redis (or one Redis Cluster) and one key prefix: one hub. */
describe('Two instances on one Redis (SSE_BROKER=redis)', () => {
  const publisher = publisherToken();
  const open: SseReader[] = [];
  const stream = async (hub: TestApp, sub: string, headers: Record<string, string> = {}) => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub }), headers });
    open.push(reader);
    return reader;
  };
  afterEach(() => open.splice(0).forEach((reader) => reader.close()));

  sharedHubSuite('on the shared Redis', () => startHubPair('redis'));

  describe('on a Redis Cluster of three primaries (private redis-server processes)', () => {
    let cluster: PrivateRedisCluster | undefined;
    afterAll(() => cluster?.stop());
    sharedHubSuite('two instances', async () => {
      cluster = await PrivateRedisCluster.start();
      return startHubPair('redis', cluster.env);
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

import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { startHubPair } from './helpers/hub-pair.js';
import { publish, request } from './helpers/http.js';
import { uniquePostgresSchema } from './helpers/postgres.js';
import { PrivatePostgresServer } from './helpers/postgres-server.js';
import { sharedHubSuite } from './helpers/shared-hub-suite.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** Two instances of the reference app on one PostgreSQL database and schema: one hub. */
describe('Two instances on one PostgreSQL (SSE_BROKER=postgres)', () => {
  sharedHubSuite('on the shared PostgreSQL', () => startHubPair('postgres'));

  describe('when PostgreSQL goes away and comes back (private server)', () => {
    const publisher = publisherToken();
    const open: SseReader[] = [];
    let server: PrivatePostgresServer;
    let c: TestApp;
    let d: TestApp;

    beforeAll(async () => {
      server = await PrivatePostgresServer.start();
      const options = {
        broker: 'postgres' as const,
        databaseUrl: server.url,
        postgresSchema: uniquePostgresSchema('outage'),
        env: { SSE_HEARTBEAT_MS: '200', SSE_SUBSCRIPTION_GRACE_MS: '300' },
      };
      [c, d] = await Promise.all([createTestApp(options), createTestApp(options)]);
    }, 60_000);
    afterEach(() => open.splice(0).forEach((reader) => reader.close()));
    afterAll(async () => {
      await Promise.all([c?.close(), d?.close()]);
      await server?.destroy();
    });

    it('answers 503 and reports unhealthy meanwhile, keeps open streams alive with heartbeats, then catches up without losing an accepted event', async () => {
      const onD = await connect(`${d.url}/sse`, { token: token({ sub: 'fay' }) });
      open.push(onD);
      const acknowledged: string[] = [];
      const send = async (i: number) => {
        const receipt = await publish(c.url, publisher, 'clients/fay', 'tick', { i });
        if (receipt.status === 202) acknowledged.push(receipt.body.id);
        return receipt;
      };
      expect((await send(1)).status).toBe(202);
      await onD.waitForEvents('tick', 1);
      expect((await request(c.url, 'GET', '/health')).status).toBe(200);

      await server.stop();
      const refused = await send(2);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(refused.text).not.toContain(String(server.port));
      await waitFor(async () => (await request(c.url, 'GET', '/health')).status === 503, {
        what: '/health to answer 503',
      });
      const heartbeats = onD.comments.length;
      await waitFor(() => onD.comments.length >= heartbeats + 2, {
        what: 'heartbeats during the outage',
      });

      await server.restart();
      await waitFor(async () => (await send(3)).status === 202, {
        timeoutMs: 15_000,
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
      await waitFor(async () => (await request(c.url, 'GET', '/health')).status === 200, {
        timeoutMs: 10_000,
        what: '/health to answer 200 again',
      });
    }, 60_000);
  });
});

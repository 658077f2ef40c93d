import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { BROKERS } from './helpers/brokers.js';
import { startHubPair, type HubPair } from './helpers/hub-pair.js';
import { uniqueRedisPrefix } from './helpers/redis.js';
import { PrivateRedisServer } from './helpers/redis-server.js';
import { waitFor } from './helpers/wait-for.js';
import { connect, openSse, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

const publisher = publisherToken('admin');
const disconnect = (hub: TestApp, clientId: string, body: unknown = {}, jwt = publisher) =>
  request(hub.url, 'POST', `/clients/${clientId}/disconnect`, { token: jwt, body });

/** Two instances on one Redis (the memory broker's case is the same with A = B). */
describe.each(BROKERS)(
  'POST /clients/:clientId/disconnect (%s broker)',
  (broker) => {
    let a: TestApp;
    let b: TestApp;
    let pair: HubPair;
    const open: SseReader[] = [];
    const stream = async (hub: TestApp, sub: string) => {
      const reader = await connect(`${hub.url}/sse`, { token: token({ sub }) });
      open.push(reader);
      return reader;
    };

    beforeAll(async () => {
      const env = { SSE_DISCONNECT_REFUSAL_MS: '60000' };
      ({ a, b } = pair = await startHubPair(broker, env));
    });
    afterEach(() => open.splice(0).forEach((reader) => reader.close()));
    afterAll(async () => {
      await pair.close();
    });

    it("sends the final event to each of the client's streams on every instance, then ends them", async () => {
      const tabs = [await stream(a, 'eve'), await stream(b, 'eve')];
      const bystander = await stream(b, 'frank');

      const answer = await disconnect(a, 'eve', {
        event: 'session.ended',
        data: { reason: 'logout' },
      });

      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ streams: 2 });
      for (const tab of tabs) {
        await tab.ended;
        expect(tab.events.slice(1)).toEqual([
          expect.objectContaining({ event: 'session.ended', data: '{"reason":"logout"}' }),
        ]);
      }
      // Nobody else is touched, and by default the client may come back.
      expect(bystander.events.map((e) => e.event)).toEqual(['connected']);
      const back = await stream(b, 'eve');
      expect(back.greeting.clientId).toBe('eve');
    });

    it('with reconnect: false refuses the client new streams on every instance (403), and only that client', async () => {
      await stream(a, 'mallory');
      const answer = await disconnect(b, 'mallory', { reconnect: false });
      expect(answer.body).toEqual({ streams: 1 });
      for (const hub of [a, b]) {
        const refused = await openSse(`${hub.url}/sse`, { token: token({ sub: 'mallory' }) });
        refused.close();
        expect(refused.status).toBe(403);
      }
      expect((await stream(a, 'grace')).greeting.clientId).toBe('grace');
    });

    it('answers 0 for a client with no stream, and refuses bad requests', async () => {
      expect((await disconnect(a, 'nobody')).body).toEqual({ streams: 0 });
      expect((await disconnect(a, 'eve', { reconnect: 'no' })).status).toBe(400);
      expect((await disconnect(a, 'eve', { data: 1 })).status).toBe(400);
      expect((await disconnect(a, 'eve', { event: 'bad type!' })).status).toBe(400);
      expect((await disconnect(a, 'eve', { colour: 'red' })).status).toBe(400);
      expect((await disconnect(a, 'eve', {}, token({ sub: 'eve' }))).status).toBe(403);
    });
  },
);

describe('Disconnect and presence while Redis is away (a private Redis, stopped and restarted)', () => {
  let server: PrivateRedisServer;
  let hub: TestApp;

  beforeAll(async () => {
    server = await PrivateRedisServer.start();
    hub = await createTestApp({
      broker: 'redis',
      redisUrl: server.url,
      redisPrefix: uniqueRedisPrefix('commands-outage'),
    });
  });
  afterAll(async () => {
    await hub.close();
    await server.stop();
  });

  it('answers 503 meanwhile, then carries commands out again once Redis is back', async () => {
    const before = await connect(`${hub.url}/sse`, { token: token({ sub: 'pat' }) });
    await server.stop();
    const refused = await disconnect(hub, 'pat');
    expect(refused.status).toBe(503);
    expect(
      (await request(hub.url, 'GET', '/presence/clients/pat', { token: publisher })).status,
    ).toBe(503);

    await server.restart();
    await waitFor(
      async () =>
        (await request(hub.url, 'GET', '/presence/clients/pat', { token: publisher })).status ===
        200,
      {
        what: 'presence answered again',
        timeoutMs: 10_000,
      },
    );
    const answer = await disconnect(hub, 'pat');
    expect(answer).toMatchObject({ status: 202, body: { streams: 1 } });
    await before.ended;
  });
});

describe('Disconnect on an instance that started while Redis was away', () => {
  it('carries commands out once Redis comes up', async () => {
    const server = await PrivateRedisServer.start();
    await server.stop();
    const hub = await createTestApp({
      broker: 'redis',
      redisUrl: server.url,
      redisPrefix: uniqueRedisPrefix('commands-late'),
    });
    try {
      await server.restart();
      const stream = await waitFor(
        async () => {
          const reader = await openSse(`${hub.url}/sse`, { token: token({ sub: 'quinn' }) });
          if (reader.status === 200 && reader.headers.get('x-sse-retry-reason') === null)
            return reader;
          reader.close();
          return undefined;
        },
        { what: 'a stream once Redis is up', timeoutMs: 10_000 },
      );
      await stream.waitForEvents('connected', 1);
      const answer = await waitFor(
        async () => {
          const reply = await disconnect(hub, 'quinn');
          return reply.status === 202 && reply;
        },
        { what: 'the disconnect carried out', timeoutMs: 10_000 },
      );
      expect(answer.body).toEqual({ streams: 1 });
      await stream.ended;
    } finally {
      await hub.close();
      await server.stop();
    }
  });
});

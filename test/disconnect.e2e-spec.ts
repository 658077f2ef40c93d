import type { TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { startHubPair, type HubPair } from './helpers/hub-pair.js';
import { connect, openSse, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

const publisher = publisherToken('admin');
const disconnect = (hub: TestApp, clientId: string, body: unknown = {}, jwt = publisher) =>
  request(hub.url, 'POST', `/clients/${clientId}/disconnect`, { token: jwt, body });

/** Two instances on one Redis (the memory broker's case is the same with A = B). */
describe.each(['memory', 'redis'] as const)(
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

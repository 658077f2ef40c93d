import type { TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { BROKERS } from './helpers/brokers.js';
import { startHubPair, type HubPair } from './helpers/hub-pair.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

const publisher = publisherToken('ops');

/** Two instances on one Redis (on the memory broker, A = B: one instance). */
describe.each(BROKERS)('Presence (%s broker)', (broker) => {
  let a: TestApp;
  let b: TestApp;
  let pair: HubPair;
  const open: SseReader[] = [];
  const stream = async (hub: TestApp, sub: string, topics: string[] = []) => {
    const query = topics.length ? `?topics=${topics.join(',')}` : '';
    const reader = await connect(`${hub.url}/sse${query}`, { token: token({ sub }) });
    open.push(reader);
    return reader;
  };
  const presence = (path: string, jwt = publisher) =>
    request(a.url, 'GET', `/presence/${path}`, { token: jwt });

  beforeAll(async () => {
    ({ a, b } = pair = await startHubPair(broker));
  });
  afterEach(() => open.splice(0).forEach((reader) => reader.close()));
  afterAll(async () => {
    await pair.close();
  });

  it("counts a client's streams on every instance, and says offline once they are gone", async () => {
    expect((await presence('clients/hana')).body).toEqual({
      clientId: 'hana',
      online: false,
      streams: 0,
    });
    const tabs = [await stream(a, 'hana'), await stream(b, 'hana'), await stream(b, 'hana')];
    expect((await presence('clients/hana')).body).toEqual({
      clientId: 'hana',
      online: true,
      streams: 3,
    });
    tabs.forEach((tab) => tab.close());
    await waitFor(async () => (await presence('clients/hana')).body.streams === 0, {
      what: 'hana offline',
    });
    expect((await presence('clients/hana')).body.online).toBe(false);
  });

  it("lists a topic's connected subscribers across instances, a page at a time", async () => {
    for (const [hub, sub] of [
      [a, 'ivy'],
      [b, 'jon'],
      [a, 'kit'],
      [b, 'lou'],
    ] as const) {
      await stream(hub, sub, ['room/7']);
    }
    await stream(b, 'max', ['room/8']);
    const first = await presence('topics/room/7?limit=3');
    expect(first.body).toEqual({
      topic: 'room/7',
      count: 4,
      clients: ['ivy', 'jon', 'kit'],
      cursor: 'kit',
    });
    const second = await presence(`topics/room/7?limit=3&cursor=${first.body.cursor}`);
    expect(second.body).toEqual({ topic: 'room/7', count: 4, clients: ['lou'] });
  });

  it('is for publishers, and refuses bad queries', async () => {
    expect((await presence('clients/hana', token({ sub: 'nosy' }))).status).toBe(403);
    expect((await presence('topics/room/7?limit=0')).status).toBe(400);
    expect((await presence('topics/room/7?colour=red')).status).toBe(400);
    expect((await presence('topics/a%20b')).status).toBe(400);
  });
});

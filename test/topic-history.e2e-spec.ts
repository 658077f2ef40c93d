import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

describe.each(BROKERS)('GET /history/topics/:topic (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();
  const ids: string[] = [];

  beforeAll(async () => {
    hub = await createTestApp({ broker });
    // Five events on news/eu, interleaved with events elsewhere that must not show.
    for (let n = 0; n < 5; n++) {
      const receipt = await publish(hub.url, publisher, 'topics/news/eu', 'headline', { n });
      ids.push(receipt.body.id);
      await publish(hub.url, publisher, 'topics/news/us', 'headline', { n });
      await publish(hub.url, publisher, 'broadcast', 'ping', n);
    }
  });
  afterAll(() => hub.close());

  const history = (query: string, jwt = token({ sub: 'reader' })) =>
    request(hub.url, 'GET', `/history/topics/news/eu${query}`, { token: jwt });

  it("answers the topic's events oldest first, with the stream's ids, and pages forward", async () => {
    const first = await history('?limit=2');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      events: [
        { id: ids[0], event: 'headline', data: { n: 0 } },
        { id: ids[1], event: 'headline', data: { n: 1 } },
      ],
      next: ids[1],
    });
    const rest = await history(`?after=${first.body.next}&limit=10`);
    expect(rest.body).toEqual({
      events: [2, 3, 4].map((n) => ({ id: ids[n], event: 'headline', data: { n } })),
    });
  });

  it('pages back with before, and the ids resume the stream where the page ends', async () => {
    const newest = await history(`?before=${ids[4]}&limit=2`);
    expect(newest.body.events.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[3]]);
    expect(newest.body.next).toBe(ids[2]);
    const older = await history(`?before=${newest.body.next}&limit=2`);
    expect(older.body).toEqual({
      events: [0, 1].map((n) => ({ id: ids[n], event: 'headline', data: { n } })),
    });

    // The stream resumed after the newest shown event replays only what came after it.
    const jwt = token({ sub: 'renderer' });
    await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: ['news/eu'] },
    });
    const stream = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': ids[3] },
    });
    try {
      const live = await publish(hub.url, publisher, 'topics/news/eu', 'headline', { n: 5 });
      await stream.waitForEvents('headline', 1);
      expect(stream.ofType('headline').map((e) => e.id)).toEqual([live.body.id]);
    } finally {
      stream.close();
    }
  });

  it("shows only topics the caller's token allows; publishers see all", async () => {
    const narrow = token({ sub: 'narrow', topics: ['news/us'] });
    expect((await history('', narrow)).status).toBe(403);
    expect((await history('', publisherToken('ops'))).body.events).toHaveLength(ids.length + 1);
    expect((await history('', token({ sub: 'wide', topics: ['news/*'] }))).status).toBe(200);
  });

  it('refuses bad cursors and limits with 400', async () => {
    for (const query of [
      '?limit=0',
      '?limit=5000',
      '?limit=abc',
      '?after=nope',
      `?after=${ids[0]}&before=${ids[1]}`,
      '?colour=red',
    ]) {
      expect({ query, status: (await history(query)).status }).toEqual({ query, status: 400 });
    }
    expect((await request(hub.url, 'GET', '/history/topics/news/eu')).status).toBe(401);
  });
});

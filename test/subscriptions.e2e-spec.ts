import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(BROKERS)('Topic subscriptions (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();
  const topicsOf = async (jwt: string) =>
    (await request<{ topics: string[] }>(hub.url, 'GET', '/sse/subscriptions', { token: jwt })).body
      .topics;

  beforeAll(async () => {
    hub = await createTestApp({ broker, env: { SSE_SUBSCRIPTION_GRACE_MS: '400' } });
  });
  afterAll(() => hub.close());

  it('subscribes over REST, delivers topic events only to subscribers, and unsubscribes', async () => {
    const alice = token({ sub: 'sub-alice' });
    const reader = await connect(`${hub.url}/sse`, { token: alice });
    const bystander = await connect(`${hub.url}/sse`, { token: token({ sub: 'sub-bystander' }) });
    try {
      const subscribed = await request(hub.url, 'POST', '/sse/subscriptions', {
        token: alice,
        body: { topics: ['devices/42/readings', 'jobs'] },
      });
      expect(subscribed.status).toBe(200);
      expect(subscribed.body.topics.sort()).toEqual(['devices/42/readings', 'jobs']);

      const first = await publish(hub.url, publisher, 'topics/devices/42/readings', 'reading', {
        t: 21.5,
      });
      expect(first.body.delivered).toBe(1);
      const [reading] = await reader.waitForEvents('reading', 1);
      expect(reading).toEqual({ id: first.body.id, event: 'reading', data: '{"t":21.5}' });

      const removed = await request(hub.url, 'DELETE', '/sse/subscriptions', {
        token: alice,
        body: { topics: ['devices/42/readings'] },
      });
      expect(removed.body).toEqual({ topics: ['jobs'] });
      const after = await publish(hub.url, publisher, 'topics/devices/42/readings', 'reading', {
        t: 22,
      });
      expect(after.body.delivered).toBe(0);
      // The next event on a still-subscribed topic arrives, and the unsubscribed one did not.
      await publish(hub.url, publisher, 'topics/jobs', 'job', 'done');
      await reader.waitForEvents('job', 1);
      expect(reader.ofType('reading')).toHaveLength(1);
      expect(bystander.ofType('reading')).toHaveLength(0);
      expect(bystander.ofType('job')).toHaveLength(0);
    } finally {
      reader.close();
      bystander.close();
    }
  });

  it('accepts an encoded slash in the publish path', async () => {
    const jwt = token({ sub: 'sub-encoded' });
    const reader = await connect(`${hub.url}/sse?topic=a/b`, { token: jwt });
    try {
      const receipt = await publish(hub.url, publisher, 'topics/a%2Fb', 'slashed', 1);
      expect(receipt.status).toBe(202);
      await reader.waitForEvents('slashed', 1);
    } finally {
      reader.close();
    }
  });

  it('subscribes on connect with ?topic= and ?topics=a,b, shared by all connections of the client', async () => {
    const jwt = token({ sub: 'sub-query' });
    const tab1 = await connect(`${hub.url}/sse?topic=news&topics=sports,weather`, { token: jwt });
    const tab2 = await connect(`${hub.url}/sse`, { token: jwt });
    try {
      expect((await topicsOf(jwt)).sort()).toEqual(['news', 'sports', 'weather']);
      const receipt = await publish(hub.url, publisher, 'topics/weather', 'forecast', 'sunny');
      expect(receipt.body.delivered).toBe(2);
      await tab1.waitForEvents('forecast', 1);
      await tab2.waitForEvents('forecast', 1);
    } finally {
      tab1.close();
      tab2.close();
    }
  });

  it("refuses topics outside the token's topics claim with 403 and changes nothing", async () => {
    const jwt = token({
      sub: 'sub-limited',
      topics: ['devices/*/readings', 'users/sub-limited/#'],
    });
    // An open stream keeps the topics from expiring (400 ms here) however slow the machine is.
    const holder = await connect(`${hub.url}/sse`, { token: jwt });
    try {
      const allowed = await request(hub.url, 'POST', '/sse/subscriptions', {
        token: jwt,
        body: {
          topics: ['devices/7/readings', 'users/sub-limited/inbox/urgent', 'users/sub-limited'],
        },
      });
      expect(allowed.status).toBe(200);
      const forbidden = await request(hub.url, 'POST', '/sse/subscriptions', {
        token: jwt,
        body: { topics: ['devices/8/readings', 'devices/8/config'] },
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      const onConnect = await openSse(`${hub.url}/sse?topic=users/someone-else/inbox`, {
        token: jwt,
      });
      expect(onConnect.status).toBe(403);
      expect((await topicsOf(jwt)).sort()).toEqual(
        ['devices/7/readings', 'users/sub-limited', 'users/sub-limited/inbox/urgent'].sort(),
      );
    } finally {
      holder.close();
    }
  });

  it.each([
    ['an empty name', ['']],
    ['a leading slash', ['/a']],
    ['an empty segment', ['a//b']],
    ['a space', ['a b']],
    ['a wildcard', ['a/*']],
    ['a newline', ['a\nb']],
    ['129 characters', ['x'.repeat(129)]],
    ['a number', [42]],
    ['one bad name among good ones', ['good', 'also/good', 'bad name']],
  ])('answers 400 to %s and changes nothing', async (name, topics) => {
    // A client of its own per case: with no stream open, its topics expire 400 ms after they
    // were subscribed, and on a loaded machine the cases together take longer than that.
    const jwt = token({ sub: `sub-bad-names-${name.replaceAll(' ', '-')}` });
    await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: ['keep'] },
    });
    const response = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await topicsOf(jwt)).toEqual(['keep']);
  });

  it.each([
    ['no body', undefined],
    ['no topics field', {}],
    ['topics not a list', { topics: 'a' }],
    ['an empty list', { topics: [] }],
    ['an unknown field', { topics: ['a'], extra: true }],
    ['malformed JSON', '{"topics": ['],
  ])('answers 400 to %s', async (_name, body) => {
    const response = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: token({ sub: 'sub-bodies' }),
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400 });
  });

  it('keeps subscriptions across a reconnect within the grace period and clears them after it', async () => {
    const jwt = token({ sub: 'sub-grace' });
    const first = await connect(`${hub.url}/sse?topic=alerts`, { token: jwt });
    first.close();
    await first.ended;
    // Reconnecting at once (as EventSource does) keeps the topic.
    const second = await connect(`${hub.url}/sse`, { token: jwt });
    const receipt = await publish(hub.url, publisher, 'topics/alerts', 'alert', 'still here');
    expect(receipt.body.delivered).toBe(1);
    await second.waitForEvents('alert', 1);
    second.close();
    await second.ended;
    // With no connection for longer than the grace period (400 ms), the topics are gone.
    await waitFor(async () => (await topicsOf(jwt)).length === 0, {
      timeoutMs: 5_000,
      what: 'expiry',
    });
  });
});

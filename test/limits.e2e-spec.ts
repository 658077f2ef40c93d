import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect, openSse, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

describe('Limits answer with clear errors and change nothing', () => {
  let hub: TestApp;
  const open: SseReader[] = [];

  beforeAll(async () => {
    hub = await createTestApp({
      env: {
        SSE_MAX_CONNECTIONS_PER_CLIENT: '2',
        SSE_MAX_CONNECTIONS: '4',
        SSE_MAX_TOPICS_PER_CLIENT: '3',
        SSE_PUBLISH_RATE_PER_SECOND: '5',
      },
    });
  });
  afterEach(async () => {
    open.splice(0).forEach((reader) => reader.close());
  });
  afterAll(() => hub.close());

  const stream = async (sub: string, query = '') => {
    const reader = await openSse(`${hub.url}/sse${query}`, { token: token({ sub }) });
    open.push(reader);
    return reader;
  };

  it('answers 429 past the connections a client may hold, without touching its topics', async () => {
    const jwt = token({ sub: 'tabby' });
    open.push(
      await connect(`${hub.url}/sse`, { token: jwt }),
      await connect(`${hub.url}/sse`, { token: jwt }),
    );
    const third = await stream('tabby', '?topic=extra');
    expect(third.status).toBe(429);
    expect(await third.ended.then(() => 'ended')).toBe('ended');
    const topics = await request(hub.url, 'GET', '/sse/subscriptions', { token: jwt });
    expect(topics.body.topics).toEqual([]);
  });

  it('tells a client to come back later when the instance holds its maximum of streams', async () => {
    for (const sub of ['a', 'b', 'c', 'd']) {
      open.push(await connect(`${hub.url}/sse`, { token: token({ sub }) }));
    }
    const fifth = await stream('e');
    await fifth.ended;
    // 200 with only a retry delay: a native EventSource waits and reconnects instead of giving up.
    expect(fifth.status).toBe(200);
    expect(fifth.headers.get('x-sse-retry-reason')).toBe('instance_full');
    expect(fifth.events).toEqual([]);
    expect(fifth.retry()).toBeGreaterThanOrEqual(3000);
    open.splice(0).forEach((reader) => reader.close());
  });

  it('answers 400 past the topics a client may hold and keeps what it had', async () => {
    const jwt = token({ sub: 'collector' });
    expect(
      (
        await request(hub.url, 'POST', '/sse/subscriptions', {
          token: jwt,
          body: { topics: ['a', 'b'] },
        })
      ).status,
    ).toBe(200);
    const over = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: ['c', 'd'] },
    });
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/at most 3 topics/);
    const many = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: Array.from({ length: 1_000 }, (_, i) => `t${i}`) },
    });
    expect(many.status).toBe(400);
    const huge = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: Array.from({ length: 10_000 }, (_, i) => `t${i}`) },
    });
    expect(huge.status).toBe(413);
    expect(
      (await request(hub.url, 'GET', '/sse/subscriptions', { token: jwt })).body.topics,
    ).toEqual(['a', 'b']);
  });

  it('answers 429 with Retry-After to a publisher over its rate', async () => {
    const publisher = publisherToken('eager');
    // 12 calls at a limit of 5 per second: even split across two windows, 2 must be refused.
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${hub.url}/notifications/broadcast`, {
          method: 'POST',
          headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
          body: JSON.stringify({ event: 'x', data: 1 }),
        }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 202).length).toBeLessThanOrEqual(10);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited[0].json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // Another publisher is not held back by this one.
    expect((await publish(hub.url, publisherToken('patient'), 'broadcast', 'x', 1)).status).toBe(
      202,
    );
  });
});

describe('Connection attempts per address', () => {
  it('are answered with a retry delay past the per-minute limit, before the token is even checked', async () => {
    const hub = await createTestApp({ env: { SSE_CONNECT_RATE_PER_MINUTE: '3' } });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const reader = await openSse(`${hub.url}/sse`, {
          token: i % 2 ? 'garbage' : token({ sub: `ip-${i}` }),
        });
        answers.push(`${reader.status} ${reader.headers.get('x-sse-retry-reason') ?? ''}`.trim());
        reader.close();
      }
      expect(answers).toEqual(['200', '401', '200', '200 rate_limited', '200 rate_limited']);
    } finally {
      await hub.close();
    }
  });
});

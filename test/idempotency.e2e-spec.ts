import { randomUUID } from 'node:crypto';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { deleteRedisPrefix, uniqueRedisPrefix } from './helpers/redis.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

const publishWithKey = (
  hub: TestApp,
  publisher: string,
  path: string,
  event: string,
  key: string,
) =>
  request<{ id: string; delivered: number; repeated?: boolean }>(
    hub.url,
    'POST',
    `/notifications/${path}`,
    {
      token: publisher,
      body: { event, data: { key } },
      headers: { 'idempotency-key': key },
    },
  );

describe.each(BROKERS)('A retried publish is delivered once (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken('idem-publisher');
  const open: SseReader[] = [];

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterEach(() => open.splice(0).forEach((reader) => reader.close()));
  afterAll(() => hub.close());

  it("answers a repeat of an Idempotency-Key with the first receipt's id and delivers nothing again", async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'idem-reader' }) });
    open.push(reader);
    const key = randomUUID();

    const first = await publishWithKey(hub, publisher, 'clients/idem-reader', 'once', key);
    const retried = await publishWithKey(hub, publisher, 'clients/idem-reader', 'once', key);
    const marker = await request(hub.url, 'POST', '/notifications/clients/idem-reader', {
      token: publisher,
      body: { event: 'marker', data: 1 },
    });

    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), delivered: 1 });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ id: first.body.id, delivered: 0, repeated: true });
    // The marker was published after the retry: once it is here, the retry would be too.
    await reader.waitForEvents('marker', 1);
    expect(reader.ofType('once')).toEqual([
      { id: first.body.id, event: 'once', data: JSON.stringify({ key }) },
    ]);
    expect(marker.status).toBe(202);
  });

  it('keeps keys apart per publisher, and publishes without a key as often as asked', async () => {
    const key = randomUUID();
    const mine = await publishWithKey(hub, publisher, 'broadcast', 'keyed', key);
    const theirs = await publishWithKey(
      hub,
      publisherToken('idem-other-publisher'),
      'broadcast',
      'keyed',
      key,
    );
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.repeated).toBeUndefined();

    const plain = async () =>
      (
        await request(hub.url, 'POST', '/notifications/broadcast', {
          token: publisher,
          body: { event: 'plain', data: 1 },
        })
      ).body.id;
    expect(await plain()).not.toBe(await plain());
  });

  it.each([
    ['empty', ''],
    ['a space', 'a b'],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé'],
  ])('refuses a key that is %s with 400 and publishes nothing', async (_what, key) => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'idem-bad-key' }) });
    open.push(reader);
    const answer = await request(hub.url, 'POST', '/notifications/clients/idem-bad-key', {
      token: publisher,
      body: { event: 'refused', data: 1 },
      headers: { 'idempotency-key': key },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, code: 'PUBLISH.INVALID_IDEMPOTENCY_KEY' });
    await request(hub.url, 'POST', '/notifications/clients/idem-bad-key', {
      token: publisher,
      body: { event: 'marker', data: 1 },
    });
    await reader.waitForEvents('marker', 1);
    expect(reader.ofType('refused')).toEqual([]);
  });
});

describe('A retried publish on another instance (redis broker)', () => {
  const prefix = uniqueRedisPrefix('idem');
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

  it('is recognised on every instance, even when the copies arrive at the same moment', async () => {
    const publisher = publisherToken('idem-cluster-publisher');
    const reader = await connect(`${b.url}/sse`, { token: token({ sub: 'idem-cluster-reader' }) });
    try {
      const key = randomUUID();
      const answers = await Promise.all(
        [a, b, a, b].map((hub) =>
          publishWithKey(hub, publisher, 'clients/idem-cluster-reader', 'clustered', key),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(answers.filter((answer) => answer.body.repeated !== true)).toHaveLength(1);

      await request(a.url, 'POST', '/notifications/clients/idem-cluster-reader', {
        token: publisher,
        body: { event: 'marker', data: 1 },
      });
      await reader.waitForEvents('marker', 1);
      expect(reader.ofType('clustered').map((event) => event.id)).toEqual([answers[0].body.id]);
    } finally {
      reader.close();
    }
  });
});

import { request as httpRequest } from 'node:http';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { openSse } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/** A POST whose path is sent as written (fetch would resolve `..` before sending it). */
function rawPost(
  url: string,
  path: string,
  jwt: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${jwt}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * `.` and `..` segments are refused wherever a topic name is taken: `users/carol/../bob` passed
 * the `users/carol/#` claim, and names `users/bob` to anything that normalises paths.
 */
describe('Topic names with dot segments', () => {
  let hub: TestApp;
  const publisher = publisherToken();
  const carol = token({ sub: 'dots-carol', topics: ['users/dots-carol/#'] });
  const DOTTED = ['users/dots-carol/../bob', 'users/dots-carol/./x', 'users/dots-carol/..'];
  const expectRefused = (response: { status: number; body: unknown }) => {
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      code: 'TOPIC.INVALID_NAME',
      message: expect.stringContaining('no "." or ".." segment'),
    });
  };
  const topicsOfCarol = async () =>
    (await request(hub.url, 'GET', '/sse/subscriptions', { token: carol })).body.topics as string[];

  beforeAll(async () => {
    hub = await createTestApp();
  });
  afterAll(() => hub.close());

  it.each(DOTTED)(
    'refuses %s in POST and DELETE /sse/subscriptions, even within the claim',
    async (topic) => {
      expectRefused(
        await request(hub.url, 'POST', '/sse/subscriptions', {
          token: carol,
          body: { topics: [topic] },
        }),
      );
      expectRefused(
        await request(hub.url, 'DELETE', '/sse/subscriptions', {
          token: carol,
          body: { topics: [topic] },
        }),
      );
      expect(await topicsOfCarol()).toEqual([]);
    },
  );

  it.each(DOTTED)('refuses %s in GET /sse?topic= before any stream opens', async (topic) => {
    for (const query of [
      `topic=${encodeURIComponent(topic)}`,
      `topics=a,${encodeURIComponent(topic)}`,
    ]) {
      const reader = await openSse(`${hub.url}/sse?${query}`, { token: carol });
      try {
        expect(reader.status).toBe(400);
        expect(reader.headers.get('content-type')).toMatch(/application\/json/);
      } finally {
        reader.close();
      }
    }
    expect(await topicsOfCarol()).toEqual([]);
  });

  it.each(DOTTED)(
    'refuses %s in the publish path, written out or with encoded slashes',
    async (topic) => {
      expectRefused(
        await rawPost(hub.url, `/notifications/topics/${topic}`, publisher, {
          event: 'x',
          data: 1,
        }),
      );
      const encoded = await request(
        hub.url,
        'POST',
        `/notifications/topics/${encodeURIComponent(topic)}`,
        {
          token: publisher,
          body: { event: 'x', data: 1 },
        },
      );
      expectRefused(encoded);
    },
  );

  it('still takes dots inside a segment', async () => {
    const response = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: carol,
      body: { topics: ['users/dots-carol/v1.2', 'users/dots-carol/...'] },
    });
    expect(response.status).toBe(200);
  });
});

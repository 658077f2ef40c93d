import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { openSse } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/**
 * `GET /sse?topic=` subscribes, so with cookie authentication a page on another site could
 * subscribe a signed-in victim by making the browser send the request (a link, an <img>, an
 * EventSource). Browsers mark such requests `Sec-Fetch-Site: cross-site`.
 */
describe('Cross-site subscriptions with the sse_token cookie', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await createTestApp();
  });
  afterAll(() => hub.close());

  const topicsOf = async (jwt: string) =>
    (await request(hub.url, 'GET', '/sse/subscriptions', { token: jwt })).body.topics as string[];
  it('refuses ?topic= with the cookie on a cross-site request (403 JSON), and subscribes nothing', async () => {
    const jwt = token({ sub: 'xsite-victim' });
    const headers = { cookie: `sse_token=${jwt}`, 'sec-fetch-site': 'cross-site' };
    for (const query of ['topic=attacker/feed', 'topics=attacker/feed,other']) {
      const answer = await request(hub.url, 'GET', `/sse?${query}`, { headers });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({
        statusCode: 403,
        message: expect.stringContaining('cross-site'),
      });
      expect(answer.text).not.toContain(jwt);
    }
    expect(await topicsOf(jwt)).toEqual([]);
  });

  it.each([
    [
      'the cookie on a same-site request',
      (jwt: string) => ({ cookie: `sse_token=${jwt}`, 'sec-fetch-site': 'same-site' }),
    ],
    [
      'the cookie on a same-origin request',
      (jwt: string) => ({ cookie: `sse_token=${jwt}`, 'sec-fetch-site': 'same-origin' }),
    ],
    [
      'the cookie from a client that is not a browser',
      (jwt: string) => ({ cookie: `sse_token=${jwt}` }),
    ],
    [
      'an Authorization header cross-site',
      (jwt: string) => ({ authorization: `Bearer ${jwt}`, 'sec-fetch-site': 'cross-site' }),
    ],
  ])('subscribes with ?topic= given %s', async (_name, headersFor) => {
    const jwt = token({ sub: `xsite-ok-${Math.random().toString(36).slice(2)}` });
    const reader = await openSse(`${hub.url}/sse?topic=ok/feed`, { headers: headersFor(jwt) });
    try {
      expect(reader.status).toBe(200);
      await reader.waitForEvents('connected', 1);
      expect(await topicsOf(jwt)).toEqual(['ok/feed']);
    } finally {
      reader.close();
    }
  });

  it('subscribes with ?token= cross-site (the page had to know the token)', async () => {
    const jwt = token({ sub: 'xsite-query' });
    const reader = await openSse(`${hub.url}/sse?topic=ok/feed&token=${jwt}`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    try {
      expect(reader.status).toBe(200);
      expect(await topicsOf(jwt)).toEqual(['ok/feed']);
    } finally {
      reader.close();
    }
  });

  it('opens the stream cross-site with the cookie when it subscribes nothing', async () => {
    const jwt = token({ sub: 'xsite-plain' });
    const reader = await openSse(`${hub.url}/sse`, {
      headers: { cookie: `sse_token=${jwt}`, 'sec-fetch-site': 'cross-site' },
    });
    try {
      expect(reader.status).toBe(200);
      await reader.waitForEvents('connected', 1);
    } finally {
      reader.close();
    }
  });
});

/** Every route of the reference app, with a request it answers with success. */
describe('Cookies the reference app sets', () => {
  it('sets none without SameSite=Strict on any route (today it sets none at all)', async () => {
    const hub = await createTestApp();
    const jwt = token({ sub: 'cookie-walk' });
    const publisher = publisherToken();
    try {
      const calls: [string, string, { token?: string; body?: unknown }][] = [
        ['GET', '/', {}],
        ['GET', '/docs', {}],
        ['GET', '/docs-json', {}],
        ['GET', '/health', {}],
        ['GET', '/metrics', {}],
        ['POST', '/auth/dev-token', { body: { sub: 'cookie-walk' } }],
        ['GET', '/sse/subscriptions', { token: jwt }],
        ['POST', '/sse/subscriptions', { token: jwt, body: { topics: ['a'] } }],
        ['DELETE', '/sse/subscriptions', { token: jwt, body: { topics: ['a'] } }],
        ['POST', '/notifications/broadcast', { token: publisher, body: { event: 'x', data: 1 } }],
      ];
      const cookies: string[] = [];
      for (const [method, path, options] of calls) {
        const response = await fetch(`${hub.url}${path}`, {
          method,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.body ? { 'content-type': 'application/json' } : {}),
          },
          body: options.body ? JSON.stringify(options.body) : undefined,
        });
        expect(response.status).toBeLessThan(300);
        await response.arrayBuffer();
        cookies.push(...response.headers.getSetCookie());
      }
      const stream = await openSse(`${hub.url}/sse`, { token: jwt });
      cookies.push(...stream.headers.getSetCookie());
      stream.close();
      for (const cookie of cookies) {
        expect(cookie).toMatch(/;\s*SameSite=Strict/i);
      }
    } finally {
      await hub.close();
    }
  });
});

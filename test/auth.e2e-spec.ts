import request from 'supertest';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { openSse } from './helpers/sse-reader.js';
import {
  expired,
  publisherToken,
  rs256,
  signedWithWrongKey,
  token,
  unsigned,
  withoutSub,
  wrongAlgorithm,
} from './helpers/tokens.js';

describe('Identity: who may stream, subscribe and publish', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await createTestApp();
  });
  afterAll(() => hub.close());

  const refused: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['a token signed with another key', () => signedWithWrongKey('mallory')],
    ['an expired token', () => expired('mallory')],
    ['an alg:none token', () => unsigned('mallory')],
    ['a token signed with HS512', () => wrongAlgorithm('mallory')],
    ['an RS256 token', () => rs256('mallory')],
    ['a token without sub', () => withoutSub()],
    ['a token with an empty sub', () => token({ sub: '' })],
    [
      'a token whose roles claim is not a list',
      () => token({ sub: 'x', roles: 'publisher' as never }),
    ],
    ['garbage', () => 'not.a.jwt'],
  ];

  describe.each(refused)('with %s', (_name, makeToken) => {
    const routes: [string, string, object | null][] = [
      ['GET', '/sse', null],
      ['GET', '/sse/subscriptions', null],
      ['POST', '/sse/subscriptions', { topics: ['a'] }],
      ['POST', '/notifications/broadcast', { event: 'x', data: 1 }],
    ];

    it.each(routes)(
      '%s %s answers 401 JSON that never echoes the token',
      async (method, path, body) => {
        const jwt = makeToken();
        let call = request(hub.app.getHttpServer())[method.toLowerCase() as 'get' | 'post'](path);
        if (jwt !== undefined) call = call.set('authorization', `Bearer ${jwt}`);
        const response = body ? await call.send(body) : await call;
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).toMatch(/application\/json/);
        expect(response.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: expect.any(String),
        });
        if (jwt) expect(response.text).not.toContain(jwt);
      },
    );
  });

  it('reads the token from the header, then ?token=, then the sse_token cookie', async () => {
    const fromHeader = await openSse(`${hub.url}/sse`, { token: token({ sub: 'h' }) });
    const fromQuery = await openSse(`${hub.url}/sse?token=${token({ sub: 'q' })}`);
    const fromCookie = await openSse(`${hub.url}/sse`, {
      headers: { cookie: `theme=dark; sse_token=${token({ sub: 'c' })}` },
    });
    try {
      for (const [reader, sub] of [
        [fromHeader, 'h'],
        [fromQuery, 'q'],
        [fromCookie, 'c'],
      ] as const) {
        expect(reader.status).toBe(200);
        const [connected] = await reader.waitForEvents('connected', 1);
        expect(JSON.parse(connected.data).clientId).toBe(sub);
      }
    } finally {
      [fromHeader, fromQuery, fromCookie].forEach((r) => r.close());
    }
  });

  it('takes the header over the query and cookie, even when the header token is bad', async () => {
    const response = await request(hub.app.getHttpServer())
      .get(`/sse/subscriptions?token=${token({ sub: 'q' })}`)
      .set('authorization', `Bearer ${expired('h')}`)
      .set('cookie', `sse_token=${token({ sub: 'c' })}`);
    expect(response.status).toBe(401);
  });

  it('answers 403 to a publish without the publisher role', async () => {
    const reader = token({ sub: 'reader', roles: ['viewer'] });
    for (const path of [
      '/notifications/broadcast',
      '/notifications/clients/x',
      '/notifications/topics/a',
    ]) {
      const response = await request(hub.app.getHttpServer())
        .post(path)
        .set('authorization', `Bearer ${reader}`)
        .send({ event: 'x', data: 1 });
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: expect.any(String),
      });
    }
    const allowed = await request(hub.app.getHttpServer())
      .post('/notifications/broadcast')
      .set('authorization', `Bearer ${publisherToken()}`)
      .send({ event: 'x', data: 1 });
    expect(allowed.status).toBe(202);
  });

  it('serves the dev-token route without a token and mints tokens the hub accepts', async () => {
    const minted = await request(hub.app.getHttpServer())
      .post('/auth/dev-token')
      .send({ sub: 'newcomer', roles: ['publisher'] });
    expect(minted.status).toBe(200);
    const published = await request(hub.app.getHttpServer())
      .post('/notifications/broadcast')
      .set('authorization', `Bearer ${minted.body.token}`)
      .send({ event: 'hi', data: 'there' });
    expect(published.status).toBe(202);
  });
});

describe('Dev tokens in production', () => {
  it('are off: the route does not exist', async () => {
    const hub = await createTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const response = await request(hub.app.getHttpServer())
        .post('/auth/dev-token')
        .send({ sub: 'x' });
      expect(response.status).toBe(404);
    } finally {
      await hub.close();
    }
  });

  it('refuse to start without JWT_SECRET', async () => {
    await expect(
      createTestApp({ env: { NODE_ENV: 'production', JWT_SECRET: '' } }),
    ).rejects.toThrow(/JWT_SECRET/);
  });
});

import fc from 'fast-check';
import { connect as tcpConnect } from 'node:net';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/**
 * Hostile input on every route: the answer is a 4xx with a JSON body, never a 5xx, the process
 * keeps serving, and nothing changes for anyone.
 */
describe('HTTP fuzzing', () => {
  let hub: TestApp;
  const publisher = publisherToken('fuzz-publisher');
  const victim = token({ sub: 'fuzz-victim' });
  let watcher: Awaited<ReturnType<typeof connect>>;

  beforeAll(async () => {
    hub = await createTestApp({
      env: { SSE_PUBLISH_RATE_PER_SECOND: '0', SSE_CONNECT_RATE_PER_MINUTE: '0' },
    });
    await request(hub.url, 'POST', '/sse/subscriptions', {
      token: victim,
      body: { topics: ['kept'] },
    });
    watcher = await connect(`${hub.url}/sse`, { token: victim });
  });

  afterAll(async () => {
    // Nothing reached the watcher but what the tests published on purpose, and its topics held.
    await publish(hub.url, publisher, 'clients/fuzz-victim', 'final', 'ok');
    await watcher.waitForEvents('final', 1);
    expect(watcher.events.map((e) => e.event)).toEqual(['connected', 'final']);
    expect(
      (await request(hub.url, 'GET', '/sse/subscriptions', { token: victim })).body.topics,
    ).toEqual(['kept']);
    watcher.close();
    await hub.close();
  });

  const expectClientError = (status: number, text: string) => {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(() => JSON.parse(text)).not.toThrow();
  };

  const routes = [
    ['POST', '/sse/subscriptions'],
    ['DELETE', '/sse/subscriptions'],
    ['POST', '/notifications/broadcast'],
    ['POST', '/notifications/clients/fuzz-victim'],
    ['POST', '/notifications/topics/kept'],
    ['POST', '/auth/dev-token'],
  ] as const;

  it.each(routes)('%s %s survives arbitrary JSON bodies', async (method, path) => {
    const jwt = path.startsWith('/notifications') ? publisher : token({ sub: 'fuzz-other' });
    // Bodies that are valid for the route would change state; the generator avoids them by
    // never producing a well-formed `event` or a `topics` list of valid names alone.
    const body = fc.oneof(
      fc
        .jsonValue()
        .filter(
          (v) =>
            !(
              typeof v === 'object' &&
              v !== null &&
              !Array.isArray(v) &&
              ('event' in v || 'topics' in v || 'sub' in v)
            ),
        ),
      fc.record({
        event: fc.string().filter((s) => !/^[A-Za-z0-9_\-.:]{1,64}$/.test(s)),
        data: fc.jsonValue(),
      }),
      fc.record({
        topics: fc.array(
          fc.oneof(
            fc.string().filter((s) => !/^[A-Za-z0-9_\-.:/]{1,128}$/.test(s)),
            fc.integer(),
          ),
        ),
        extra: fc.boolean(),
      }),
      fc.record({ sub: fc.oneof(fc.integer(), fc.constant('')), roles: fc.anything() }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await request(hub.url, method, path, {
          token: jwt,
          body: JSON.stringify(value) === undefined ? 'null' : JSON.stringify(value),
          headers: { 'content-type': 'application/json' },
        });
        expectClientError(response.status, response.text);
      }),
      { numRuns: 60 },
    );
  });

  it.each(routes)('%s %s survives malformed and mistyped bodies', async (method, path) => {
    const jwt = path.startsWith('/notifications') ? publisher : token({ sub: 'fuzz-other' });
    const bodies: [string, string][] = [
      ['{', 'application/json'],
      ['{"a":', 'application/json'],
      ['[1,2', 'application/json'],
      ['\u0000\u0001\u0002', 'application/json'],
      ['{"__proto__": {"polluted": true}, "event": "x"}', 'application/json'],
      ['{"constructor": {"prototype": {"x": 1}}}', 'application/json'],
      ['event=x&data=1', 'application/x-www-form-urlencoded'],
      ['<xml/>', 'application/xml'],
      ['"just a string"', 'application/json'],
      ['12345', 'application/json'],
      ['null', 'application/json'],
      // 10,000 topics: past the body limit (and the per-client topic limit)
      [
        '{"topics": ' + JSON.stringify(Array.from({ length: 10_000 }, (_, i) => `t/${i}`)) + '}',
        'application/json',
      ],
    ];
    for (const [body, type] of bodies) {
      const response = await request(hub.url, method, path, {
        token: jwt,
        body,
        headers: { 'content-type': type },
      });
      expectClientError(response.status, response.text);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives arbitrary tokens in every place a token is read', async () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.base64String({ maxLength: 300 }).map((s) => `${s}.${s}.${s}`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'bearer x y',
        'Basic abc',
        'a.b.c',
        '..',
        'x'.repeat(9000),
      ),
    );
    await fc.assert(
      fc.asyncProperty(junk, fc.constantFrom('header', 'query', 'cookie'), async (value, where) => {
        const headers: Record<string, string> = {};
        let path = '/sse/subscriptions';
        const safe = value.replace(/[^\x20-\x7e]/g, '');
        if (where === 'header')
          headers.authorization = safe.startsWith('Bearer') ? safe : `Bearer ${safe}`;
        if (where === 'query') path += `?token=${encodeURIComponent(value)}`;
        if (where === 'cookie') headers.cookie = `sse_token=${encodeURIComponent(value)}`;
        const response = await request(hub.url, 'GET', path, { headers });
        expect([400, 401, 431]).toContain(response.status);
        if (response.status !== 431)
          expect(response.text).not.toContain(value.length > 3 ? value : '\u0000never');
      }),
      { numRuns: 80 },
    );
  });

  it('survives hostile query strings and Last-Event-ID values on the stream route', async () => {
    const jwt = token({ sub: 'fuzz-stream' });
    const queries = [
      '?lastEventId=abc',
      '?lastEventId=1-',
      '?lastEventId=-1',
      '?lastEventId=1-1-1',
      `?lastEventId=${'9'.repeat(40)}-0`,
      '?topic=',
      '?topic=a%20b',
      '?topic=%00',
      '?topic=a&topic=b%2F%2Fc',
      '?topics=,,,',
      '?topics=a,,b',
      `?topics=${Array.from({ length: 2000 }, (_, i) => `t${i}`).join(',')}`,
      '?topic[]=a',
      '?topic[a]=b',
      '?lastEventId[]=1-1',
      '?%ff=1',
      '?topic=%E0%A4%A',
    ];
    // Unknown parameters are ignored (the stream opens); bad known ones are a JSON 4xx.
    const expectRefusedOrIgnored = async (query: string, headers: Record<string, string> = {}) => {
      const reader = await openSse(`${hub.url}/sse${query}`, { token: jwt, headers });
      reader.close();
      if (reader.status === 200) {
        expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
      } else {
        expect(reader.status).toBeGreaterThanOrEqual(400);
        expect(reader.status).toBeLessThan(500);
        expect(reader.headers.get('content-type')).toMatch(/application\/json/);
      }
      return reader.status;
    };
    for (const query of queries) {
      await expectRefusedOrIgnored(query);
    }
    for (const bad of ['?topic=a%20b', '?topics=,,,', '?topic=%00']) {
      expect(await expectRefusedOrIgnored(bad)).toBe(400);
    }
    // An id the hub cannot read opens the stream (recovered:false): an EventSource gives up on a 4xx.
    for (const lastEventId of ['x', '1-1x', '1e3-0', '0x1-0', '1-', `${'9'.repeat(40)}-0`]) {
      expect(await expectRefusedOrIgnored('', { 'last-event-id': lastEventId })).toBe(200);
    }
    expect(await expectRefusedOrIgnored('?lastEventId=abc')).toBe(200);
    expect(
      (await request(hub.url, 'GET', '/sse/subscriptions', { token: jwt })).body.topics,
    ).toEqual([]);
  });

  it('answers odd methods with a JSON 404 and keeps serving', async () => {
    for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
      for (const path of ['/sse', '/sse/subscriptions', '/notifications/broadcast']) {
        const response = await request(hub.url, method, path, { token: publisher });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
    }
    // Raw garbage on the socket is the HTTP parser's problem, not a crash.
    await new Promise<void>((resolve) => {
      const { hostname, port } = new URL(hub.url);
      const socket = tcpConnect(Number(port), hostname, () =>
        socket.end('GARBAGE /\u0000 HTTP/9.9\r\n\r\n'),
      );
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    expect((await request(hub.url, 'GET', '/sse/subscriptions', { token: victim })).status).toBe(
      200,
    );
  });
});

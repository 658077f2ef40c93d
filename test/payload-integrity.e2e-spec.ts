import fc from 'fast-check';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/** Keys that object handling in JavaScript treats specially, and libraries have dropped or obeyed. */
const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'toJSON',
  'then',
] as const;
const key = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 8 }));
/** JSON values whose objects use those keys (fast-check defines each key as an own property). */
const { payload } = fc.letrec((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 })),
    fc.dictionary(key, tie('payload'), { maxKeys: 5 }),
    fc.array(tie('payload'), { maxLength: 4 }),
  ),
}));

describe.each(BROKERS)('Payloads arrive intact, whatever their keys (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterAll(() => hub.close());

  it('delivers {"constructor":"Ferrari","b":2} and a __proto__ key byte for byte', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'intact-ann' }) });
    try {
      const bodies = [
        '{"event":"car","data":{"constructor":"Ferrari","b":2}}',
        '{"event":"car","data":{"__proto__":{"admin":true},"b":2}}',
        '{"event":"car","data":[{"prototype":{"constructor":1}},{"toJSON":"x"}]}',
      ];
      for (const body of bodies) {
        const response = await request(hub.url, 'POST', '/notifications/clients/intact-ann', {
          token: publisher,
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status).toBe(202);
      }
      const events = await reader.waitForEvents('car', bodies.length);
      expect(events.map((e) => e.data)).toEqual([
        '{"constructor":"Ferrari","b":2}',
        '{"__proto__":{"admin":true},"b":2}',
        '[{"prototype":{"constructor":1}},{"toJSON":"x"}]',
      ]);
    } finally {
      reader.close();
    }
  });

  it('passes any payload through untouched, through the publish routes and an SSE parser', async () => {
    const jwt = token({ sub: 'intact-ben' });
    const reader = await connect(`${hub.url}/sse?topic=intact/ben`, { token: jwt });
    try {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          payload,
          fc.constantFrom('clients/intact-ben', 'topics/intact/ben', 'broadcast'),
          async (data, path) => {
            const text = JSON.stringify(data);
            const response = await request(hub.url, 'POST', `/notifications/${path}`, {
              token: publisher,
              body: `{"event":"p","data":${text}}`,
              headers: { 'content-type': 'application/json' },
            });
            expect(response.status).toBe(202);
            const received = await reader.waitForEvents('p', ++sent);
            // Strings are sent as they are, everything else as JSON.
            const expected = typeof data === 'string' ? data : text;
            expect(received.at(-1)).toEqual({ id: response.body.id, event: 'p', data: expected });
          },
        ),
        { numRuns: broker === 'memory' ? 60 : 30 },
      );
    } finally {
      reader.close();
    }
  });
});

/** Every route that takes a JSON body, with a body it would accept. */
const BODY_ROUTES: [string, string, Record<string, unknown>][] = [
  ['POST', '/sse/subscriptions', { topics: ['proto/a'] }],
  ['DELETE', '/sse/subscriptions', { topics: ['proto/a'] }],
  ['POST', '/notifications/clients/proto-cat', { event: 'x', data: 1 }],
  ['POST', '/notifications/topics/proto/a', { event: 'x', data: 1 }],
  ['POST', '/notifications/broadcast', { event: 'x', data: 1 }],
  ['POST', '/auth/dev-token', { sub: 'proto-cat' }],
];

describe('A top-level __proto__ field is refused like any unknown field', () => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp();
  });
  afterAll(() => hub.close());

  it.each(BODY_ROUTES)('%s %s', async (method, path, valid) => {
    const send = (body: string) =>
      request(hub.url, method, path, {
        token: publisher,
        body,
        headers: { 'content-type': 'application/json' },
      });
    const fields = JSON.stringify(valid).slice(1, -1);
    const unknown = await send(`{${fields},"extra":{"admin":true}}`);
    expect(unknown.status).toBe(400);
    for (const special of ['__proto__', 'constructor', 'prototype']) {
      const response = await send(`{${fields},"${special}":{"admin":true}}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        ...unknown.body,
        message: (unknown.body.message as string[]).map((line) => line.replace('extra', special)),
      });
    }
    // The same body without the extra field is fine.
    expect((await send(JSON.stringify(valid))).status).toBeLessThan(300);
  });
});

import { EventSource } from 'eventsource';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { metric } from './helpers/metrics.js';
import { connect, openSse } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** What `GET /sse` answered, in one line: `200`, `401`, or `200 retry <reason>` for a retry answer. */
async function attempt(
  url: string,
  headers: Record<string, string> = {},
  jwt?: string,
): Promise<string> {
  const reader = await openSse(`${url}/sse`, { token: jwt, headers });
  const reason = reader.headers.get('x-sse-retry-reason');
  reader.close();
  return reason === null ? String(reader.status) : `${reader.status} retry ${reason}`;
}

describe('Behind a proxy: client addresses (TRUST_PROXY)', () => {
  it('counts the connect limit per forwarded address when the proxy is trusted', async () => {
    const hub = await createTestApp({
      env: { SSE_CONNECT_RATE_PER_MINUTE: '2', TRUST_PROXY: 'loopback' },
    });
    try {
      const from = (address: string) => attempt(hub.url, { 'x-forwarded-for': address });
      // No token: each attempt counts, then 401; past the limit, a retry answer.
      expect([
        await from('198.51.100.7'),
        await from('198.51.100.7'),
        await from('198.51.100.7'),
      ]).toEqual(['401', '401', '200 retry rate_limited']);
      // One address hammering the hub does not hold back the others behind the same proxy.
      expect(await from('198.51.100.8')).toBe('401');
      expect(
        await attempt(hub.url, { 'x-forwarded-for': '198.51.100.9' }, token({ sub: 'neighbour' })),
      ).toBe('200');
    } finally {
      await hub.close();
    }
  });

  it('ignores X-Forwarded-For from a client when no proxy is trusted, so the header cannot dodge the limit', async () => {
    const hub = await createTestApp({ env: { SSE_CONNECT_RATE_PER_MINUTE: '2' } });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await attempt(hub.url, { 'x-forwarded-for': `203.0.113.${i}` }));
      }
      expect(answers).toEqual(['401', '401', '200 retry rate_limited']);
    } finally {
      await hub.close();
    }
  });

  it('refuses to start on a TRUST_PROXY that Express could not use', async () => {
    await expect(createTestApp({ env: { TRUST_PROXY: '10.0.0.0/99' } })).rejects.toThrow(
      /trustProxy/,
    );
  });
});

describe('Answers a native EventSource survives', () => {
  let hub: TestApp;
  const RETRY_MS = 300;

  beforeAll(async () => {
    hub = await createTestApp({
      env: { SSE_MAX_CONNECTIONS: '2', SSE_RETRY_MS: String(RETRY_MS) },
    });
  });
  afterAll(() => hub.close());

  it('answers a full instance with 200, a reason and a spread retry delay, and ends the stream at once', async () => {
    const held = [
      await connect(`${hub.url}/sse`, { token: token({ sub: 'first' }) }),
      await connect(`${hub.url}/sse`, { token: token({ sub: 'second' }) }),
    ];
    try {
      const refused = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          openSse(`${hub.url}/sse`, { token: token({ sub: `late-${i}` }) }),
        ),
      );
      await Promise.all(refused.map((reader) => reader.ended));
      const delays = refused.map((reader) => reader.retry() as number);
      for (const reader of refused) {
        expect(reader.status).toBe(200);
        expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(reader.headers.get('x-sse-retry-reason')).toBe('instance_full');
        expect(Number(reader.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(reader.events).toEqual([]); // no `connected`: nothing was opened
        expect(reader.comments.join('\n')).toMatch(/^ ?instance_full: .*maximum of 2 streams/);
      }
      // Spread over [retry, 2 x retry], so clients refused together do not return together.
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(RETRY_MS);
      expect(Math.max(...delays)).toBeLessThanOrEqual(2 * RETRY_MS);
      expect(new Set(delays).size).toBeGreaterThan(1);
      expect(
        await metric(hub.url, 'sse_stream_retry_answers_total{reason="instance_full"}'),
      ).toBeGreaterThanOrEqual(12);
    } finally {
      held.forEach((reader) => reader.close());
    }
  });

  it('keeps real errors as 4xx: a bad token, a forbidden topic, too many streams of one client', async () => {
    expect(await attempt(hub.url, {}, 'not-a-token')).toBe('401');
    expect(await attempt(hub.url, {}, undefined)).toBe('401');
    const scoped = token({ sub: 'scoped', topics: ['news/*'] });
    const forbidden = await openSse(`${hub.url}/sse?topic=admin`, { token: scoped });
    forbidden.close();
    expect(forbidden.status).toBe(403);
  });

  it('lets an EventSource that met a full instance wait, retry and connect once there is room, never giving up', async () => {
    const held = [
      await connect(`${hub.url}/sse`, { token: token({ sub: 'a' }) }),
      await connect(`${hub.url}/sse`, { token: token({ sub: 'b' }) }),
    ];
    const source = new EventSource(`${hub.url}/sse?token=${token({ sub: 'patient' })}`);
    const greetings: string[] = [];
    let errors = 0;
    source.addEventListener('connected', (event) =>
      greetings.push(JSON.parse(event.data).clientId),
    );
    source.addEventListener('error', () => errors++);
    try {
      await waitFor(() => errors >= 2, { what: 'two refused attempts', timeoutMs: 10_000 });
      expect(source.readyState).not.toBe(EventSource.CLOSED);
      held[0].close();
      await waitFor(() => greetings.length === 1, {
        what: 'the stream once a slot is free',
        timeoutMs: 10_000,
      });
      expect(greetings).toEqual(['patient']);
      expect(source.readyState).toBe(EventSource.OPEN);
    } finally {
      source.close();
      held.forEach((reader) => reader.close());
    }
  });
});

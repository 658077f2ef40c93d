import { compareEventIds } from 'nestjs-sse-hub';
import { connect as connectTcp } from 'node:net';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { metric } from './helpers/metrics.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(BROKERS)('GET /sse: the stream (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker, env: { SSE_HEARTBEAT_MS: '300', SSE_RETRY_MS: '1234' } });
  });
  afterAll(() => hub.close());

  it('answers with SSE headers, then retry and a connected event first', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'alice' }) });
    try {
      expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(reader.headers.get('cache-control')).toContain('no-cache');
      expect(reader.headers.get('cache-control')).toContain('no-transform');
      expect(reader.headers.get('x-accel-buffering')).toBe('no');
      expect(reader.headers.get('content-encoding')).toBeNull();
      expect(reader.retry()).toBe(1234);
      expect(reader.events[0].event).toBe('connected');
      expect(reader.greeting).toEqual({ clientId: 'alice', connectionId: expect.any(String) });
    } finally {
      reader.close();
    }
  });

  it('delivers a targeted event only to that client, on every one of its connections', async () => {
    const tab1 = await connect(`${hub.url}/sse`, { token: token({ sub: 'bob' }) });
    const tab2 = await connect(`${hub.url}/sse`, { token: token({ sub: 'bob' }) });
    const other = await connect(`${hub.url}/sse`, { token: token({ sub: 'carol' }) });
    try {
      expect(tab1.greeting.connectionId).not.toBe(tab2.greeting.connectionId);
      const receipt = await publish(hub.url, publisher, 'clients/bob', 'note', { n: 1 });
      expect(receipt.status).toBe(202);
      expect(receipt.body).toEqual({ id: expect.any(String), delivered: 2 });
      for (const tab of [tab1, tab2]) {
        const [event] = await tab.waitForEvents('note', 1);
        expect(event).toEqual({ id: receipt.body.id, event: 'note', data: '{"n":1}' });
      }
      // A later event to carol proves carol's stream is live and bob's event never reached it.
      await publish(hub.url, publisher, 'clients/carol', 'note', { n: 2 });
      const [forCarol] = await other.waitForEvents('note', 1);
      expect(JSON.parse(forCarol.data)).toEqual({ n: 2 });
      expect(other.ofType('note')).toHaveLength(1);
    } finally {
      [tab1, tab2, other].forEach((r) => r.close());
    }
  });

  it('broadcasts to every connection exactly once', async () => {
    const readers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        connect(`${hub.url}/sse`, { token: token({ sub: `fan-${i % 7}` }) }),
      ),
    );
    try {
      const receipt = await publish(hub.url, publisher, 'broadcast', 'all', 'hello everyone');
      expect(receipt.body.delivered).toBe(20);
      await publish(hub.url, publisher, 'broadcast', 'end', 'marker');
      for (const reader of readers) {
        await reader.waitForEvents('end', 1);
        expect(reader.ofType('all')).toEqual([
          { id: receipt.body.id, event: 'all', data: 'hello everyone' },
        ]);
      }
    } finally {
      readers.forEach((r) => r.close());
    }
  });

  it('keeps multi-line, unicode and object data exact', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'dora' }) });
    const payloads: unknown[] = [
      'first line\nsecond line\n\nfourth after a blank',
      'emoji 🎉, accents éàü, CJK 漢字, RTL עברית',
      { nested: { list: [1, 'two', null, true], text: 'multi\nline' }, unicode: '✓' },
      42,
      null,
      '',
    ];
    try {
      for (const data of payloads) {
        await publish(hub.url, publisher, 'clients/dora', 'payload', data);
      }
      const got = await reader.waitForEvents('payload', payloads.length);
      expect(got.map((e) => e.data)).toEqual([
        payloads[0],
        payloads[1],
        JSON.stringify(payloads[2]),
        '42',
        'null',
        '',
      ]);
    } finally {
      reader.close();
    }
  });

  it('delivers 500 rapid events in order with strictly increasing ids', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'erin' }) });
    try {
      const receipts = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          publish(hub.url, publisher, 'clients/erin', 'tick', { i }),
        ),
      );
      expect(receipts.every((r) => r.status === 202)).toBe(true);
      const got = await reader.waitForEvents('tick', 500, 15_000);
      const ids = got.map((e) => e.id as string);
      expect(new Set(ids).size).toBe(500);
      const byAcceptance = [...receipts].map((r) => r.body.id).sort(compareEventIds);
      expect(ids).toEqual(byAcceptance);
      for (let i = 1; i < ids.length; i++) {
        expect(compareEventIds(ids[i - 1], ids[i])).toBeLessThan(0);
      }
    } finally {
      reader.close();
    }
  });

  it('sends a comment heartbeat while the stream is idle', async () => {
    const reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'fred' }) });
    try {
      await waitFor(() => reader.comments.length >= 2, {
        timeoutMs: 3_000,
        what: 'two heartbeats',
      });
      expect(reader.ofType('connected')).toHaveLength(1);
    } finally {
      reader.close();
    }
  });

  it('opens the stream for a Last-Event-ID it cannot read, with recovered:false (an EventSource gives up on a 400)', async () => {
    const reader = await connect(`${hub.url}/sse?lastEventId=not-an-id`, {
      token: token({ sub: 'gus' }),
    });
    reader.close();
    expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(reader.greeting.recovered).toBe(false);
  });

  it('answers HEAD with the headers a GET would get, after the same checks, and opens no stream', async () => {
    const opened = await metric(hub.url, 'sse_connections_opened_total');
    const head = await fetch(`${hub.url}/sse?topic=head/only`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token({ sub: 'hal' })}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await head.text()).toBe('');
    const refused = await fetch(`${hub.url}/sse`, { method: 'HEAD' });
    expect(refused.status).toBe(401);
    const topics = await request(hub.url, 'GET', '/sse/subscriptions', {
      token: token({ sub: 'hal' }),
    });
    expect(topics.body).toEqual({ topics: [] });
    expect(await metric(hub.url, 'sse_connections_opened_total')).toBe(opened);
  });

  it('keeps nothing of clients that leave while their stream is being set up', async () => {
    const { port } = new URL(hub.url);
    // Each asks for a topic (a registry round trip on Redis) and hangs up 0-4 ms after asking.
    await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) =>
          new Promise<void>((done) => {
            const socket = connectTcp(Number(port), '127.0.0.1', () => {
              socket.write(
                `GET /sse?topic=leave/${i} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token({ sub: `leaver-${i}` })}\r\n\r\n`,
              );
              setTimeout(() => socket.destroy(), i % 5);
            });
            socket.on('close', () => done());
            socket.on('error', () => undefined);
          }),
      ),
    );
    await waitFor(async () => (await metric(hub.url, 'sse_connections_open')) === 0, {
      what: 'no open connections left',
    });
  });
});
